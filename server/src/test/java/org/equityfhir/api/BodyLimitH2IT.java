package org.equityfhir.api;

import org.equityfhir.testsupport.OnH2;

@OnH2
class BodyLimitH2IT extends BodyLimitContract {}
