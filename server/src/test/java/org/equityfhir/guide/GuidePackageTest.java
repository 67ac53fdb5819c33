package org.equityfhir.guide;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
}
