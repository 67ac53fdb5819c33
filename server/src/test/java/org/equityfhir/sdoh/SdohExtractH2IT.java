package org.equityfhir.sdoh;

import org.equityfhir.testsupport.OnH2;

@OnH2
class SdohExtractH2IT extends SdohExtractContract {}
