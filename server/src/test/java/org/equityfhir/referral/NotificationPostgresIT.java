package org.equityfhir.referral;

import org.equityfhir.testsupport.OnPostgres;

@OnPostgres
class NotificationPostgresIT extends NotificationContract {}
