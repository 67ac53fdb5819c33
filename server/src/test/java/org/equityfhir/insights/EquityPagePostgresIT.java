package org.equityfhir.insights;

import org.equityfhir.testsupport.OnPostgres;

@OnPostgres
class EquityPagePostgresIT extends EquityPageContract {}
