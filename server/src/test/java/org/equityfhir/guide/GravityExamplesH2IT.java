package org.equityfhir.guide;

import org.equityfhir.testsupport.OnH2;

@OnH2
class GravityExamplesH2IT extends GravityExamplesContract {}
