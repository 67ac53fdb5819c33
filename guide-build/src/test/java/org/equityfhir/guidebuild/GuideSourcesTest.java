package org.equityfhir.guidebuild;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.MetadataResource;
import org.junit.jupiter.api.Test;

/**
 * The guide's resource files hold only what a person decides: nothing the build fills in comes back
 * by hand (a copied version or date is the first thing to drift).
 */
class GuideSourcesTest {

	private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
	/** The values of the root pom's fhir.package.* properties do not matter here, only which fields are set. */
	private static final GuideDefaults DEFAULTS =
			new GuideDefaults("http://equityfhir.org/fhir", "any", "2000-01-01", "Equity FHIR Server project");

	static List<Path> sources() {
		return Stream.of("terminology", "profiles")
				.flatMap(module -> GuideBuild.jsonFiles(ROOT.resolve(module).resolve("src/main/fhir")).stream())
				.toList();
	}

	@Test
	void noSourceFileStatesWhatTheBuildFills() throws IOException {
		FhirContext fhir = FhirContext.forR4Cached();
		List<String> findings = new ArrayList<>();
		int conformance = 0;
		for (Path file : sources()) {
			IBaseResource resource = fhir.newJsonParser().parseResource(Files.readString(file));
			if (resource instanceof MetadataResource r) {
				conformance++;
				List<String> redundant = DEFAULTS.redundantIn(r);
				if (!redundant.isEmpty()) {
					findings.add(ROOT.relativize(file) + ": " + redundant);
				}
			}
		}
		assertThat(conformance).as("conformance resources found under " + ROOT).isGreaterThan(40);
		assertThat(findings)
				.as("Remove these fields: the package build fills them (profiles/README.md, 'What the build fills in')")
				.isEmpty();
	}
}
