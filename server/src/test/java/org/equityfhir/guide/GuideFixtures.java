package org.equityfhir.guide;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.utilities.npm.NpmPackage;

/** Our guide's examples (valid, from the package) and counter-examples (invalid, with expectations). */
public final class GuideFixtures {

	public static final Path INVALID_DIR =
			Path.of("..", "profiles", "src", "test", "fhir", "invalid").toAbsolutePath().normalize();
	private static final FhirContext FHIR = FhirContext.forR4Cached();

	private GuideFixtures() {}

	public record Example(String file, IBaseResource resource) {
		@Override
		public String toString() {
			return file;
		}
	}

	/** What the counter-example must produce: an error at {@code expression} whose text contains {@code message}. */
	public record Invalid(String file, String profile, String expression, String message) {
		public IBaseResource resource() {
			try {
				return FHIR.newJsonParser().parseResource(Files.readString(INVALID_DIR.resolve(file)));
			} catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		}

		@Override
		public String toString() {
			return file;
		}
	}

	public static List<Example> validExamples() {
		NpmPackage npm = GuidePackage.load(GuidePackage.PROFILES_ID).npm();
		List<Example> examples = new ArrayList<>();
		try {
			for (String file : npm.list("example")) {
				if (!file.endsWith(".json")) {
					continue;
				}
				try (InputStream in = npm.load("example", file)) {
					examples.add(new Example(file, FHIR.newJsonParser().parseResource(in)));
				}
			}
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return examples;
	}

	public static List<Invalid> invalidExamples() {
		try {
			return List.of(new ObjectMapper().readValue(INVALID_DIR.resolve("expectations.json").toFile(), Invalid[].class));
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
