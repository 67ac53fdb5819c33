package org.equityfhir.ig;

import org.equityfhir.testsupport.OnH2;

@OnH2
class GuideEnforcementH2IT extends GuideEnforcementContract {}
