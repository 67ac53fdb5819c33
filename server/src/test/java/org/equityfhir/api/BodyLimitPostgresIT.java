package org.equityfhir.api;

import org.equityfhir.testsupport.OnPostgres;

@OnPostgres
class BodyLimitPostgresIT extends BodyLimitContract {}
