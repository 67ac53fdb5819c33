package org.equityfhir.directory;

import org.equityfhir.testsupport.OnH2;

@OnH2
class DirectoryPageH2IT extends DirectoryPageContract {}
