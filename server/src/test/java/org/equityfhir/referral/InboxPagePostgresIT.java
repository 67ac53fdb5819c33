package org.equityfhir.referral;

import org.equityfhir.testsupport.OnPostgres;

@OnPostgres
class InboxPagePostgresIT extends InboxPageContract {}
