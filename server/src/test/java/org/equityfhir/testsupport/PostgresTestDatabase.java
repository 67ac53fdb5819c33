package org.equityfhir.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * Throwaway PostgreSQL databases for integration tests. The server comes from EQUITY_TEST_DB_URL
 * (a JDBC URL to any database on it, used to create and drop ours) or localhost:5432; each database
 * created here is dropped when the test JVM exits.
 */
public final class PostgresTestDatabase {

	private static final String ADMIN_URL = envOr("EQUITY_TEST_DB_URL", "jdbc:postgresql://localhost:5432/postgres");
	private static final String USER = envOr("EQUITY_TEST_DB_USER", "postgres");
	private static final String PASSWORD = envOr("EQUITY_TEST_DB_PASSWORD", "");
	private static Boolean reachable;

	private PostgresTestDatabase() {}

	public static String user() {
		return USER;
	}

	public static String password() {
		return PASSWORD;
	}

	public static synchronized boolean isReachable() {
		if (reachable == null) {
			try (Connection c = DriverManager.getConnection(ADMIN_URL + sep() + "connectTimeout=3", USER, PASSWORD)) {
				reachable = c.isValid(3);
			} catch (SQLException e) {
				reachable = false;
			}
		}
		return reachable;
	}

	public static String describe() {
		return ADMIN_URL.replaceAll("\\?.*", "") + " as " + USER;
	}

	/** Creates an empty database and returns its JDBC URL; it is dropped at JVM exit. */
	public static String create(String purpose) {
		String name = ("equity_it_" + purpose + "_" + UUID.randomUUID().toString().substring(0, 8))
				.toLowerCase(Locale.ROOT)
				.replaceAll("[^a-z0-9_]", "_");
		execute("CREATE DATABASE " + name);
		Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(name)));
		return ADMIN_URL.replaceFirst("/[^/?]*(\\?|$)", "/" + name + "$1");
	}

	private static void drop(String name) {
		try {
			execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
		} catch (RuntimeException e) {
			System.err.println("Could not drop test database " + name + ": " + e.getMessage());
		}
	}

	private static void execute(String sql) {
		try (Connection c = DriverManager.getConnection(ADMIN_URL, USER, PASSWORD);
				Statement s = c.createStatement()) {
			s.execute(sql);
		} catch (SQLException e) {
			throw new IllegalStateException(sql + " failed on " + describe() + ": " + e.getMessage(), e);
		}
	}

	private static String sep() {
		return ADMIN_URL.contains("?") ? "&" : "?";
	}

	private static String envOr(String name, String fallback) {
		String value = System.getenv(name);
		return value == null || value.isBlank() ? fallback : value;
	}
}
