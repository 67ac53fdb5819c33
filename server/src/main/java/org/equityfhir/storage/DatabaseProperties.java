package org.equityfhir.storage;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where the data lives. With no URL the server uses an embedded H2 file database under {@code dataDir},
 * so a newcomer can start it with nothing installed; production sets a PostgreSQL JDBC URL.
 */
@ConfigurationProperties("equity.db")
public record DatabaseProperties(
		String url,
		String username,
		String password,
		@DefaultValue("./data") Path dataDir,
		@DefaultValue("10") int maxPoolSize,
		@DefaultValue("5s") java.time.Duration connectionTimeout,
		@DefaultValue("2s") java.time.Duration cacheCheck,
		@DefaultValue("none") Partitioning partitioning) {

	public String effectiveUrl() {
		if (url != null && !url.isBlank()) {
			return url;
		}
		return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("equity-fhir") + ";MODE=LEGACY";
	}

	public DatabaseKind kind() {
		return DatabaseKind.fromJdbcUrl(effectiveUrl());
	}
}
