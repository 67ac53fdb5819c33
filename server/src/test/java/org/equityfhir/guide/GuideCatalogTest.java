package org.equityfhir.guide;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.equityfhir.referral.ReferralTransition;
import org.equityfhir.referral.ReferralWorkflow;
import org.junit.jupiter.api.Test;

/** docs/ig.md is exactly what the packages say; -Dequity.write-docs=true rewrites it. */
class GuideCatalogTest {

	private static final Path DOC = Path.of("..", "docs", "ig.md").toAbsolutePath().normalize();

	@Test
	void docsIgMdMatchesThePackages() throws IOException {
		FhirContext fhir = FhirContext.forR4Cached();
		List<String> workflowRules = java.util.stream.Stream.concat(java.util.stream.Stream.of(ReferralWorkflow.summary()),
				Arrays.stream(ReferralTransition.values()).map(ReferralTransition::describe)).toList();
		String rendered = GuideCatalog.markdown(fhir, GuidePackage.loadAll(),
				new ProfileSelector(fhir, GuidePackage.load(GuidePackage.TERMINOLOGY_ID)), workflowRules);
		if (Boolean.getBoolean("equity.write-docs")) {
			Files.writeString(DOC, rendered);
		}
		assertThat(rendered).contains("equity-practitioner", "referral-task", "service-area-languages", "equity-npi-1", "community-service");
		assertThat(Files.readString(DOC))
				.as("docs/ig.md is stale: regenerate it with -Dequity.write-docs=true (see its first paragraph)")
				.isEqualTo(rendered);
	}
}
