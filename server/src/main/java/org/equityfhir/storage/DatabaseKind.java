package org.equityfhir.storage;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirH2Dialect;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirPostgresDialect;

/** The databases we support, each with HAPI's dialect and migrator driver type. */
public enum DatabaseKind {
	H2("org.h2.Driver", HapiFhirH2Dialect.class.getName(), DriverTypeEnum.H2_EMBEDDED),
	POSTGRESQL("org.postgresql.Driver", HapiFhirPostgresDialect.class.getName(), DriverTypeEnum.POSTGRES_9_4);

	private final String driverClassName;
	private final String hibernateDialect;
	private final DriverTypeEnum migratorDriver;

	DatabaseKind(String driverClassName, String hibernateDialect, DriverTypeEnum migratorDriver) {
		this.driverClassName = driverClassName;
		this.hibernateDialect = hibernateDialect;
		this.migratorDriver = migratorDriver;
	}

	public static DatabaseKind fromJdbcUrl(String jdbcUrl) {
		if (jdbcUrl.startsWith("jdbc:postgresql:")) {
			return POSTGRESQL;
		}
		if (jdbcUrl.startsWith("jdbc:h2:")) {
			return H2;
		}
		throw new IllegalArgumentException(
				"Unsupported database URL (expected jdbc:postgresql: or jdbc:h2:): " + jdbcUrl.replaceAll("\\?.*", ""));
	}

	public String driverClassName() {
		return driverClassName;
	}

	public String hibernateDialect() {
		return hibernateDialect;
	}

	public DriverTypeEnum migratorDriver() {
		return migratorDriver;
	}
}
