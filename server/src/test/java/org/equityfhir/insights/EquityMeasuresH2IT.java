package org.equityfhir.insights;

import org.equityfhir.testsupport.OnH2;

@OnH2
class EquityMeasuresH2IT extends EquityMeasuresContract {}
