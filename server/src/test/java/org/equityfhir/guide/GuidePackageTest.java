package org.equityfhir.guide;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.Narrative.NarrativeStatus;
import org.hl7.fhir.utilities.npm.NpmPackage;
import org.junit.jupiter.api.Test;

/** The packages the build produces are well-formed FHIR packages that carry their own notices. */
class GuidePackageTest {

	@Test
	void bothPackagesCarryTheirIdVersionAndFhirVersion() {
		for (GuidePackage pkg : GuidePackage.loadAll()) {
			NpmPackage npm = pkg.npm();
			assertThat(npm.name()).isEqualTo(pkg.id());
			assertThat(npm.fhirVersion()).isEqualTo("4.0.1");
			assertThat(pkg.version()).isNotBlank().doesNotContain("@");
		}
		assertThat(GuidePackage.load(GuidePackage.PROFILES_ID).npm().dependencies())
				.anyMatch(d -> d.startsWith(GuidePackage.TERMINOLOGY_ID + "#"));
	}

	@Test
	void terminologyPackageCarriesTheLicensingNotice() throws Exception {
		NpmPackage npm = GuidePackage.load(GuidePackage.TERMINOLOGY_ID).npm();
		try (InputStream readme = npm.load("package", "README.md")) {
			assertThat(readme).as("package/README.md").isNotNull();
			String text = new String(readme.readAllBytes(), StandardCharsets.UTF_8);
			assertThat(text).contains("SNOMED CT", "LOINC", "licen");
		}
	}

	/**
	 * What the build fills in (guide-build's GuideBuild) is in every conformance resource of both
	 * packages: our resources carry the package's version, all one release date, the publisher and
	 * a narrative; the official extensions we render keep their publisher's version.
	 */
	@Test
	void everyConformanceResourceCarriesWhatTheBuildFillsIn() throws Exception {
		FhirContext fhir = FhirContext.forR4Cached();
		Set<String> dates = new HashSet<>();
		int checked = 0;
		for (GuidePackage pkg : GuidePackage.loadAll()) {
			NpmPackage npm = pkg.npm();
			for (String file : npm.list("package")) {
				if (!file.endsWith(".json") || file.equals("package.json")) {
					continue;
				}
				IBaseResource resource;
				try (InputStream in = npm.load("package", file)) {
					resource = fhir.newJsonParser().parseResource(in);
				}
				if (!(resource instanceof MetadataResource r)) {
					continue;
				}
				checked++;
				String where = pkg.id() + ": " + file;
				assertThat(r.getUrl()).as(where + ": our packages carry no definition under another publisher's canonical URL")
						.startsWith(ProfileSelector.CANONICAL_BASE);
				assertThat(r.getVersion()).as(where).isEqualTo(pkg.version());
				assertThat(r.getDateElement().getValueAsString()).as(where).matches("\\d{4}-\\d{2}-\\d{2}");
				dates.add(r.getDateElement().getValueAsString());
				assertThat(r.getPublisher()).as(where).isEqualTo("Equity FHIR Server project");
				assertThat(r.getStatus()).as(where).isEqualTo(PublicationStatus.ACTIVE);
				assertThat(r.getText().getStatus()).as(where).isEqualTo(NarrativeStatus.GENERATED);
				assertThat(r.getText().getDiv().allText()).as(where).contains(r.hasTitle() ? r.getTitle() : r.getName());
			}
		}
		assertThat(checked).isGreaterThan(40);
		assertThat(dates).as("one release date for the whole guide").hasSize(1);
	}

	/** A rule two profiles share (the NPI check) is one rule: same key, same words, same expression. */
	@Test
	void invariantsSharingAKeyAreTheSameRule() throws IOException {
		FhirContext fhir = FhirContext.forR4Cached();
		java.util.Map<String, String> byKey = new java.util.HashMap<>();
		NpmPackage npm = GuidePackage.load(GuidePackage.PROFILES_ID).npm();
		for (String file : npm.listResources(Set.of("StructureDefinition"))) {
			try (InputStream in = npm.load("package", file)) {
				org.hl7.fhir.r4.model.StructureDefinition sd =
						fhir.newJsonParser().parseResource(org.hl7.fhir.r4.model.StructureDefinition.class, in);
				sd.getDifferential().getElement().forEach(e -> e.getConstraint().forEach(c -> {
					String rule = c.getHuman() + " | " + c.getExpression() + " | " + c.getRequirements();
					assertThat(byKey.putIfAbsent(c.getKey(), rule)).as(c.getKey() + " in " + sd.getId()).isIn(null, rule);
				}));
			}
		}
		assertThat(byKey).containsKey("equity-npi-1");
	}
}
