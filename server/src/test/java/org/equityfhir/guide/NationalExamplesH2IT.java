package org.equityfhir.guide;

import org.equityfhir.testsupport.OnH2;

@OnH2
class NationalExamplesH2IT extends NationalExamplesContract {}
