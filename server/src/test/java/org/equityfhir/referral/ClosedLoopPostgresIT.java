package org.equityfhir.referral;

import org.equityfhir.testsupport.OnPostgres;

@OnPostgres
class ClosedLoopPostgresIT extends ClosedLoopContract {}
