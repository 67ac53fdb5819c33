package org.equityfhir.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** What the server calls itself in /metadata and logs. */
public final class ServerIdentity {
	public static final String NAME = "Equity FHIR Server";
	public static final String PUBLISHER = "Equity FHIR Server project";
	public static final String DESCRIPTION =
			"FHIR R4 server for health equity: culturally responsive provider directory, social determinants"
					+ " of health and closed-loop community referrals";

	private ServerIdentity() {}

	private static final String VERSION = readVersion();

	public static String version() {
		return VERSION;
	}

	/** The Maven version, from the build-info the Spring Boot plugin writes at build time. */
	private static String readVersion() {
		try (InputStream in = ServerIdentity.class.getResourceAsStream("/META-INF/build-info.properties")) {
			if (in == null) {
				return "development";
			}
			Properties info = new Properties();
			info.load(in);
			return info.getProperty("build.version", "development");
		} catch (IOException e) {
			return "development";
		}
	}
}
