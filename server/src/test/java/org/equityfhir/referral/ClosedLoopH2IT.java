package org.equityfhir.referral;

import org.equityfhir.testsupport.OnH2;

@OnH2
class ClosedLoopH2IT extends ClosedLoopContract {}
