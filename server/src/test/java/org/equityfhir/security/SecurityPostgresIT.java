package org.equityfhir.security;

import org.equityfhir.testsupport.OnPostgres;

@OnPostgres
class SecurityPostgresIT extends SecurityContract {}
