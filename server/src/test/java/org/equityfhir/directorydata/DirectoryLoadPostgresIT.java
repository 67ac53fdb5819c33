package org.equityfhir.directorydata;

import org.equityfhir.testsupport.OnPostgres;

@OnPostgres
class DirectoryLoadPostgresIT extends DirectoryLoadContract {}
