package org.equityfhir.referral;

import org.equityfhir.testsupport.OnH2;

@OnH2
class ReferralMetricsH2IT extends ReferralMetricsContract {}
