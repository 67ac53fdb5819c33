package org.equityfhir.directory;

import org.equityfhir.testsupport.OnH2;

@OnH2
class AttestationPageH2IT extends AttestationPageContract {}
