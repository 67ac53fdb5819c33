package org.equityfhir.insights;

import org.equityfhir.testsupport.OnH2;

@OnH2
class MonthlyReportsH2IT extends MonthlyReportsContract {}
