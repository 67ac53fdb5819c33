package org.equityfhir.guide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ValidationOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.Test;

/**
 * Our directory examples also conform to the national guides other systems expect: US Core 7.0.0
 * (Practitioner, Organization, Location; HealthcareService against R4 with US Core loaded) and Plan-Net
 * 1.1.0's own definition of the communication-proficiency extension. Uses the published packages in
 * ../shared/fhir-packages when present and is skipped, saying so, when they are not. Findings about
 * value sets or code systems that cannot be resolved offline (VSAC, missing dependency packages) are
 * warnings, as that folder's README says.
 */
class OfficialGuidesTest {

	private static final Path PACKAGES =
			Path.of("..", "..", "shared", "fhir-packages").toAbsolutePath().normalize();
	private static final String US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/";
	private static final FhirContext FHIR = FhirContext.forR4Cached();

	@Test
	void directoryExamplesConformToUsCore7() throws IOException {
		FhirValidator validator = validatorWith("hl7.fhir.us.core-7.0.0.tgz");
		int checked = 0;
		for (GuideFixtures.Example example : GuideFixtures.validExamples()) {
			String profile = switch (example.resource().fhirType()) {
				case "Practitioner" -> US_CORE + "us-core-practitioner";
				case "Organization" -> US_CORE + "us-core-organization";
				case "Location" -> US_CORE + "us-core-location";
				case "HealthcareService" -> null;
				default -> "skip";
			};
			if ("skip".equals(profile)) {
				continue;
			}
			assertThat(blockingErrors(validator, example.resource(), profile)).as(example.file()).isEmpty();
			checked++;
		}
		assertThat(checked).isGreaterThanOrEqualTo(8);
	}

	@Test
	void proficiencyExtensionConformsToPlanNet() throws IOException {
		// Plan-Net alone: its US Core 3.1.1 dependency limited race/ethnicity to Patient, which US Core
		// 7.0.0 (our base, and Gravity's) widened to Practitioner; only the proficiency extension is checked here.
		FhirValidator validator = validatorWith("hl7.fhir.us.davinci-pdex-plan-net-1.1.0.tgz");
		List<GuideFixtures.Example> practitioners = GuideFixtures.validExamples().stream()
				.filter(e -> e.resource().fhirType().equals("Practitioner"))
				.filter(e -> FHIR.newJsonParser().encodeResourceToString(e.resource()).contains("communication-proficiency"))
				.toList();
		assertThat(practitioners).isNotEmpty();
		for (GuideFixtures.Example example : practitioners) {
			assertThat(blockingErrors(validator, example.resource(), null)).as(example.file()).isEmpty();
		}
	}

	private static List<String> blockingErrors(FhirValidator validator, IBaseResource resource, String profile) {
		ValidationOptions options = new ValidationOptions().addProfileIfNotBlank(profile);
		return GuideExamplesTest.errors(validator.validateWithResult(resource, options).getMessages()).stream()
				.map(m -> m.getLocationString() + ": " + m.getMessage())
				.filter(m -> !GuideValidator.isOfflineTerminology(m))
				.toList();
	}

	/** Our validator as the server builds it with equity.ig.extra-packages set to these official packages. */
	private static FhirValidator validatorWith(String... officialPackages) {
		assumeTrue(Files.isDirectory(PACKAGES), "Skipped: " + PACKAGES + " is absent (published HL7 packages are optional)");
		List<GuidePackage> official = new ArrayList<>();
		for (String file : officialPackages) {
			Path tgz = PACKAGES.resolve(file);
			assumeTrue(Files.isRegularFile(tgz), "Skipped: " + tgz + " is absent");
			official.add(GuidePackage.fromFile(tgz));
		}
		List<GuidePackage> ours = GuidePackage.loadAll();
		FhirInstanceValidator module = GuideValidator.instanceValidator(GuideValidator.chain(FHIR, 
				java.util.stream.Stream.concat(official.stream(), ours.stream())
						.map(p -> GuideValidator.conformanceResources(FHIR, p)).toList()), true);
		FhirValidator validator = FHIR.newValidator();
		validator.registerValidatorModule(module);
		return validator;
	}
}
