package org.equityfhir.sdoh;

import org.equityfhir.testsupport.OnPostgres;

@OnPostgres
class SdohExtractPostgresIT extends SdohExtractContract {}
