package org.equityfhir.guidebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuideBuildTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();
	private static final GuideDefaults DEFAULTS =
			new GuideDefaults("http://equityfhir.org/fhir", "0.9.0", "2026-11-25", "Equity FHIR Server project");
	private static final String VALUE_SET = """
			{"resourceType": "ValueSet", "id": "yes-no", "url": "http://equityfhir.org/fhir/ValueSet/yes-no",
			 "name": "YesNo", "description": "Yes or no.",
			 "compose": {"include": [{"system": "http://loinc.org", "concept": [{"code": "LA33-6", "display": "Yes"}]}]}}
			""";

	@TempDir
	Path dir;

	private Path source() throws IOException {
		return Files.createDirectories(dir.resolve("src"));
	}

	@Test
	void writesCompletedResourcesTheSameWayEveryTime() throws IOException {
		Files.writeString(source().resolve("ValueSet-yes-no.json"), VALUE_SET);
		Path out = dir.resolve("out");
		GuideBuild build = new GuideBuild(FHIR, DEFAULTS);

		assertThat(build.run(source(), out)).isEqualTo(1);
		String first = Files.readString(out.resolve("ValueSet-yes-no.json"));
		build.run(source(), out);

		assertThat(Files.readString(out.resolve("ValueSet-yes-no.json"))).isEqualTo(first);
		assertThat(first).contains("\"version\": \"0.9.0\"", "\"date\": \"2026-11-25\"", "LA33-6")
				// FHIR's element order, whatever the file's: text before url, compose last.
				.containsSubsequence("\"text\"", "\"url\"", "\"version\"", "\"description\"", "\"compose\"");
	}

	@Test
	void leavesOtherResourcesAndTheManifestAloneAndDropsStaleOnes() throws IOException {
		String bundle = "{\"resourceType\": \"Bundle\", \"id\": \"b\", \"type\": \"collection\"}";
		Files.writeString(source().resolve("Bundle-b.json"), bundle);
		Path out = Files.createDirectories(dir.resolve("out"));
		Files.writeString(out.resolve("package.json"), "{}");
		Files.writeString(out.resolve("ValueSet-renamed-since.json"), VALUE_SET);

		new GuideBuild(FHIR, DEFAULTS).run(source(), out);

		assertThat(Files.readString(out.resolve("Bundle-b.json"))).isEqualTo(bundle);
		assertThat(out.resolve("package.json")).exists();
		assertThat(out.resolve("ValueSet-renamed-since.json")).doesNotExist();
	}

	@Test
	void refusesAMisnamedFileAnUnknownElementAndAForeignUrl() throws IOException {
		Path src = source();
		Path out = dir.resolve("out");
		GuideBuild build = new GuideBuild(FHIR, DEFAULTS);

		Files.writeString(src.resolve("ValueSet-other.json"), VALUE_SET);
		assertThatThrownBy(() -> build.run(src, out)).hasMessageContaining("ValueSet-yes-no.json");

		Files.delete(src.resolve("ValueSet-other.json"));
		Files.writeString(src.resolve("ValueSet-yes-no.json"), VALUE_SET.replace("\"name\"", "\"nmae\": \"x\", \"name\""));
		assertThatThrownBy(() -> build.run(src, out)).hasMessageContaining("nmae");

		Files.writeString(src.resolve("ValueSet-yes-no.json"), VALUE_SET.replace("ValueSet/yes-no", "ValueSet/yes-or-no"));
		assertThatThrownBy(() -> build.run(src, out))
				.hasMessageContaining("url must be http://equityfhir.org/fhir/ValueSet/yes-no");

		// An official definition is never carried under its publisher's URL (issue 12: no altered copies).
		Files.writeString(src.resolve("ValueSet-yes-no.json"),
				VALUE_SET.replace("http://equityfhir.org/fhir/ValueSet/yes-no", "http://hl7.org/fhir/us/core/ValueSet/yes-no"));
		assertThatThrownBy(() -> build.run(src, out)).hasMessageContaining("not http://hl7.org/fhir/us/core/ValueSet/yes-no");
	}
}
