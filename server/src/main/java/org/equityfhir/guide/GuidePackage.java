package org.equityfhir.guide;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.hl7.fhir.utilities.npm.NpmPackage;

/**
 * One of our guide's FHIR packages, as the profiles/ and terminology/ modules put it on the classpath.
 * Read once; the bytes are what gets installed and what the validator loads, so both always agree.
 */
public record GuidePackage(String id, String version, byte[] contents) {

	public static final String TERMINOLOGY_ID = "org.equityfhir.terminology";
	public static final String PROFILES_ID = "org.equityfhir.ig";

	/** Terminology first: the profiles package depends on it. */
	public static List<GuidePackage> loadAll() {
		return List.of(load(TERMINOLOGY_ID), load(PROFILES_ID));
	}

	public static GuidePackage load(String id) {
		String path = classpathLocation(id);
		try (InputStream in = GuidePackage.class.getClassLoader().getResourceAsStream(path)) {
			if (in == null) {
				throw new IllegalStateException("FHIR package " + id + " is missing from the classpath (" + path + ")");
			}
			byte[] bytes = in.readAllBytes();
			NpmPackage npm = npm(bytes);
			return new GuidePackage(id, npm.version(), bytes);
		} catch (IOException e) {
			throw new UncheckedIOException("Cannot read FHIR package " + id, e);
		}
	}

	public static String classpathLocation(String id) {
		return "fhir/" + id + ".tgz";
	}

	public NpmPackage npm() {
		return npm(contents);
	}

	private static NpmPackage npm(byte[] bytes) {
		try {
			return NpmPackage.fromPackage(new java.io.ByteArrayInputStream(bytes));
		} catch (IOException e) {
			throw new UncheckedIOException("Not a readable FHIR package", e);
		}
	}
}
