package org.equityfhir.guidebuild;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.MetadataResource;

/**
 * Writes a guide module's resources (src/main/fhir, one per file) into its package folder, with what
 * {@link GuideDefaults} knows filled in. terminology/ and profiles/ run it while packaging:
 * {@code source=DIR output=DIR canonical=URL version=V date=YYYY-MM-DD publisher=NAME}.
 *
 * <p>Resources are parsed strictly (an unknown element or a bad code stops the build instead of being
 * dropped) and written in FHIR's element order, so the same sources always give the same bytes.
 * Only the top folder is read: examples, in their own folder, are packaged as written.
 */
public final class GuideBuild {

	private final IParser reader;
	private final IParser writer;
	private final GuideDefaults defaults;

	GuideBuild(FhirContext fhir, GuideDefaults defaults) {
		this.reader = fhir.newJsonParser().setParserErrorHandler(new StrictErrorHandler());
		this.writer = fhir.newJsonParser().setPrettyPrint(true);
		this.defaults = defaults;
	}

	public static void main(String[] args) throws IOException {
		Map<String, String> options = new HashMap<>();
		for (String arg : args) {
			int eq = arg.indexOf('=');
			if (eq < 1) {
				throw new IllegalArgumentException("Expected name=value, got '" + arg + "'");
			}
			options.put(arg.substring(0, eq), arg.substring(eq + 1));
		}
		GuideDefaults defaults = new GuideDefaults(required(options, "canonical"), required(options, "version"),
				required(options, "date"), required(options, "publisher"));
		Path source = Path.of(required(options, "source"));
		Path output = Path.of(required(options, "output"));
		int completed = new GuideBuild(FhirContext.forR4(), defaults).run(source, output);
		System.out.println("GuideBuild: " + completed + " conformance resources from " + source + " completed into " + output);
	}

	private static String required(Map<String, String> options, String name) {
		String value = options.get(name);
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException("Missing argument " + name + "=...");
		}
		return value;
	}

	/** @return how many conformance resources were completed */
	int run(Path source, Path output) throws IOException {
		Files.createDirectories(output);
		// A resource renamed or removed since the last build must not linger in the package.
		for (Path stale : jsonFiles(output)) {
			if (!stale.getFileName().toString().equals("package.json")) {
				Files.delete(stale);
			}
		}
		int completed = 0;
		for (Path file : jsonFiles(source)) {
			String json = Files.readString(file, StandardCharsets.UTF_8);
			IBaseResource resource = parse(file, json);
			String expectedName = resource.fhirType() + "-" + resource.getIdElement().getIdPart() + ".json";
			if (!file.getFileName().toString().equals(expectedName)) {
				throw new IllegalArgumentException(file + ": a file holds one resource and is named Type-id.json, here " + expectedName);
			}
			if (resource instanceof MetadataResource conformance) {
				checkUrl(file, conformance);
				defaults.complete(conformance);
				json = writer.encodeResourceToString(conformance) + "\n";
				completed++;
			}
			Files.writeString(output.resolve(file.getFileName()), json, StandardCharsets.UTF_8);
		}
		return completed;
	}

	private IBaseResource parse(Path file, String json) {
		try {
			return reader.parseResource(json);
		} catch (DataFormatException e) {
			throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
		}
	}

	private void checkUrl(Path file, MetadataResource resource) {
		String expected = defaults.canonical() + "/" + resource.fhirType() + "/" + resource.getIdElement().getIdPart();
		// Never a copy under another publisher's URL (HL7's, say): an altered official definition would
		// contradict the official one for every system that has both.
		if (!expected.equals(resource.getUrl())) {
			throw new IllegalArgumentException(file + ": url must be " + expected + ", not " + resource.getUrl());
		}
	}

	static List<Path> jsonFiles(Path dir) {
		if (!Files.isDirectory(dir)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(dir)) {
			return files.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".json")).sorted().toList();
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
