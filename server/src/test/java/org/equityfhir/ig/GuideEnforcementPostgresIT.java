package org.equityfhir.ig;

import org.equityfhir.testsupport.OnPostgres;

@OnPostgres
class GuideEnforcementPostgresIT extends GuideEnforcementContract {}
