package org.equityfhir.guide;

import org.equityfhir.testsupport.OnPostgres;

@OnPostgres
class NationalExamplesPostgresIT extends NationalExamplesContract {}
