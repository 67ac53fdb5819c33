package org.equityfhir.api;

import org.equityfhir.testsupport.OnPostgres;

@OnPostgres
class ClientAssignedIdPostgresIT extends ClientAssignedIdContract {}
