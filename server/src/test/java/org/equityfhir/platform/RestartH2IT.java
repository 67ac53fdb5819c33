package org.equityfhir.platform;

import java.util.Map;
import org.equityfhir.testsupport.DatabaseInitializers;

class RestartH2IT extends RestartContract {

	private final String dataDir = DatabaseInitializers.newDataDir("restart").toString();

	@Override
	Map<String, Object> databaseProperties() {
		return Map.of("equity.db.data-dir", dataDir);
	}
}
