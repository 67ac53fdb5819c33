package org.equityfhir.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/** Points a test's Spring context at its database: one per database kind per test JVM. */
public final class DatabaseInitializers {

	private DatabaseInitializers() {}

	/** A fresh H2 file database, as the embedded default uses, in a temporary data directory. */
	public static class H2 implements ApplicationContextInitializer<ConfigurableApplicationContext> {
		private static Path dataDir;

		static synchronized Path dataDir() {
			if (dataDir == null) {
				dataDir = newDataDir("shared");
			}
			return dataDir;
		}

		@Override
		public void initialize(ConfigurableApplicationContext context) {
			TestPropertyValues.of("equity.db.data-dir=" + dataDir()).and(officialPackages()).and(TestMail.serverProperties()).and(TestClients.serverProperties()).applyTo(context);
		}
	}

	/**
	 * A throwaway PostgreSQL database, created when the context starts and dropped at JVM exit. It is made in
	 * HAPI's database partition mode, patient compartments in their own partitions
	 * ({@code equity.db.partitioning=patient-compartment}): every PostgreSQL test then proves the server
	 * behaves the same in that mode, while the H2 tests, the restart test and the cluster tests run the plain
	 * schema.
	 */
	public static class Postgres implements ApplicationContextInitializer<ConfigurableApplicationContext> {
		private static String url;

		static synchronized String url() {
			if (url == null) {
				url = PostgresTestDatabase.create("shared");
			}
			return url;
		}

		@Override
		public void initialize(ConfigurableApplicationContext context) {
			TestPropertyValues.of(
							"equity.db.url=" + url(),
							"equity.db.username=" + PostgresTestDatabase.user(),
							"equity.db.password=" + PostgresTestDatabase.password(),
							"equity.db.partitioning=patient-compartment")
					.and(officialPackages())
					.and(TestMail.serverProperties())
					.and(TestClients.serverProperties())
					.applyTo(context);
		}
	}

	/** The published HL7 packages in ../shared/fhir-packages, where that folder exists (see its README). */
	public static final Path OFFICIAL_PACKAGES =
			Path.of("..", "..", "shared", "fhir-packages").toAbsolutePath().normalize();

	/** Test servers install the official packages when the machine has them, as an operator would. */
	static String[] officialPackages() {
		return Files.isDirectory(OFFICIAL_PACKAGES)
				? new String[] {"equity.ig.extra-packages=" + OFFICIAL_PACKAGES}
				: new String[0];
	}

	public static Path newDataDir(String purpose) {
		try {
			Path dir = Files.createTempDirectory("equity-it-" + purpose + "-");
			dir.toFile().deleteOnExit();
			return dir;
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
