package org.equityfhir.security;

import org.equityfhir.testsupport.OnH2;

@OnH2
class RoleMatrixH2IT extends RoleMatrixContract {}
