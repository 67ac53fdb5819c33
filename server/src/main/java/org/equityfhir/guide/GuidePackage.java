package org.equityfhir.guide;

import ca.uhn.fhir.context.FhirContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.ValueSet;

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

	/**
	 * An official FHIR package file (.tgz) from equity.ig.extra-packages: US Core, Plan-Net, Gravity, as
	 * published. Its id and version come from its own package.json.
	 */
	public static GuidePackage fromFile(Path file) {
		try {
			byte[] bytes = Files.readAllBytes(file);
			NpmPackage npm = npm(bytes);
			return new GuidePackage(npm.name(), npm.version(), bytes);
		} catch (IOException | UncheckedIOException e) {
			throw new IllegalStateException("Cannot read FHIR package " + file + ": " + e.getMessage(), e);
		}
	}

	/**
	 * Every *.tgz in a folder; none when the folder is not set. Where a folder holds two versions of one
	 * package (US Core 7.0.0 and the 3.1.1 Plan-Net builds on), the newer comes first, so that an
	 * unversioned canonical resolves to it.
	 */
	public static List<GuidePackage> fromFolder(Path folder) {
		if (folder == null) {
			return List.of();
		}
		if (!Files.isDirectory(folder)) {
			throw new IllegalStateException("equity.ig.extra-packages is not a folder: " + folder);
		}
		try (Stream<Path> files = Files.list(folder)) {
			return files.filter(f -> f.getFileName().toString().endsWith(".tgz")).map(GuidePackage::fromFile)
					.sorted(java.util.Comparator.comparing(GuidePackage::id)
							.thenComparing(GuidePackage::version, GuidePackage::compareVersions).reversed())
					.toList();
		} catch (IOException e) {
			throw new UncheckedIOException("Cannot list " + folder, e);
		}
	}

	/**
	 * The codes a value set of this package enumerates, as "system|code"; a code system included whole
	 * is "system|*".
	 */
	public Set<String> valueSetCodes(FhirContext fhirContext, String file) {
		ValueSet vs = resource(fhirContext, file, ValueSet.class);
		Set<String> codes = new HashSet<>();
		for (ValueSet.ConceptSetComponent include : vs.getCompose().getInclude()) {
			if (include.getConcept().isEmpty() && include.getFilter().isEmpty()) {
				codes.add(include.getSystem() + "|*");
			}
			include.getConcept().forEach(concept -> codes.add(include.getSystem() + "|" + concept.getCode()));
		}
		return Set.copyOf(codes);
	}

	/** One resource file of this package ({@code ValueSet-x.json}), parsed. */
	public <T extends org.hl7.fhir.instance.model.api.IBaseResource> T resource(FhirContext fhirContext, String file, Class<T> type) {
		try (InputStream in = npm().load("package", file)) {
			if (in == null) {
				throw new IllegalStateException(file + " is missing from FHIR package " + id);
			}
			return fhirContext.newJsonParser().parseResource(type, in);
		} catch (IOException e) {
			throw new UncheckedIOException("Cannot read " + file + " from " + id, e);
		}
	}

	/** Numeric comparison of dotted versions ("7.0.0" after "3.1.1", "10.0" after "9.2"). */
	static int compareVersions(String a, String b) {
		String[] x = a.split("[.-]");
		String[] y = b.split("[.-]");
		for (int i = 0; i < Math.max(x.length, y.length); i++) {
			String p = i < x.length ? x[i] : "0";
			String q = i < y.length ? y[i] : "0";
			int c = p.matches("\\d+") && q.matches("\\d+") ? Integer.compare(Integer.parseInt(p), Integer.parseInt(q)) : p.compareTo(q);
			if (c != 0) {
				return c;
			}
		}
		return 0;
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
