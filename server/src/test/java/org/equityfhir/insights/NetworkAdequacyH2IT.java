package org.equityfhir.insights;

import org.equityfhir.testsupport.OnH2;

@OnH2
class NetworkAdequacyH2IT extends NetworkAdequacyContract {}
