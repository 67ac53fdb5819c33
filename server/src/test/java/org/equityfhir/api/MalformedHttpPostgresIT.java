package org.equityfhir.api;

import org.equityfhir.testsupport.OnPostgres;

@OnPostgres
class MalformedHttpPostgresIT extends MalformedHttpContract {}
