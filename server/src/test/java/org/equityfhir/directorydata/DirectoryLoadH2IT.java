package org.equityfhir.directorydata;

import org.equityfhir.testsupport.OnH2;

@OnH2
class DirectoryLoadH2IT extends DirectoryLoadContract {}
