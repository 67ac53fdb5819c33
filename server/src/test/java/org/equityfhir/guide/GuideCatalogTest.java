package org.equityfhir.guide;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/ig.md is exactly what the packages say; -Dequity.write-docs=true rewrites it. */
class GuideCatalogTest {

	private static final Path DOC = Path.of("..", "docs", "ig.md").toAbsolutePath().normalize();

	@Test
	void docsIgMdMatchesThePackages() throws IOException {
		String rendered = GuideCatalog.markdown(FhirContext.forR4Cached(), GuidePackage.loadAll());
		if (Boolean.getBoolean("equity.write-docs")) {
			Files.writeString(DOC, rendered);
		}
		assertThat(rendered).contains("equity-practitioner", "referral-task", "service-area-languages");
		assertThat(Files.readString(DOC))
				.as("docs/ig.md is stale: regenerate it with -Dequity.write-docs=true (see its first paragraph)")
				.isEqualTo(rendered);
	}
}
