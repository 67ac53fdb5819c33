package org.equityfhir.platform;

import org.equityfhir.api.FhirRestConfig;
import org.equityfhir.api.ServerIdentity;
import org.equityfhir.storage.DatabaseProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Tells the operator, once, where the server answers and on which database. */
@Component
class StartupAnnouncer {

	private static final Logger log = LoggerFactory.getLogger(StartupAnnouncer.class);

	private final DatabaseProperties db;

	StartupAnnouncer(DatabaseProperties db) {
		this.db = db;
	}

	@EventListener
	public void onReady(ApplicationReadyEvent event) {
		int port = event.getApplicationContext() instanceof WebServerApplicationContext web
				? web.getWebServer().getPort()
				: -1;
		String where = db.kind() == org.equityfhir.storage.DatabaseKind.H2
				? "embedded H2 in " + db.dataDir().toAbsolutePath().normalize()
				: "PostgreSQL";
		log.info(
				"{} {} ready at http://localhost:{}{} (database: {}, started in {} ms)",
				ServerIdentity.NAME,
				ServerIdentity.version(),
				port,
				FhirRestConfig.FHIR_PATH,
				where,
				event.getTimeTaken().toMillis());
	}
}
