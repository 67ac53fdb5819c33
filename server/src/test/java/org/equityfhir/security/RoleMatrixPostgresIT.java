package org.equityfhir.security;

import org.equityfhir.testsupport.OnPostgres;

@OnPostgres
class RoleMatrixPostgresIT extends RoleMatrixContract {}
