package org.equityfhir.security;

import org.equityfhir.testsupport.OnH2;

@OnH2
class SecurityH2IT extends SecurityContract {}
