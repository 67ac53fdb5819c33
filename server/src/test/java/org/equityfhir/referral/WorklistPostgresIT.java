package org.equityfhir.referral;

import org.equityfhir.testsupport.OnPostgres;

@OnPostgres
class WorklistPostgresIT extends WorklistContract {}
