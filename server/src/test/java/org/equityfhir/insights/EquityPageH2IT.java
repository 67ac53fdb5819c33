package org.equityfhir.insights;

import org.equityfhir.testsupport.OnH2;

@OnH2
class EquityPageH2IT extends EquityPageContract {}
