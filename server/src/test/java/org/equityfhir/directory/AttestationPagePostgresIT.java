package org.equityfhir.directory;

import org.equityfhir.testsupport.OnPostgres;

@OnPostgres
class AttestationPagePostgresIT extends AttestationPageContract {}
