package org.equityfhir.platform;

import java.util.Map;
import org.equityfhir.testsupport.PostgresRequired;
import org.equityfhir.testsupport.PostgresTestDatabase;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresRequired.class)
class RestartPostgresIT extends RestartContract {

	private String url;

	@Override
	Map<String, Object> databaseProperties() {
		if (url == null) {
			url = PostgresTestDatabase.create("restart");
		}
		return Map.of(
				"equity.db.url", url,
				"equity.db.username", PostgresTestDatabase.user(),
				"equity.db.password", PostgresTestDatabase.password());
	}
}
