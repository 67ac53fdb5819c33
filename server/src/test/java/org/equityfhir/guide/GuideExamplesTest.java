package org.equityfhir.guide;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The guide's own examples are valid and each counter-example fails exactly where and how its
 * expectation says, with the same validator and profile selection the server enforces on write.
 */
class GuideExamplesTest {

	private static GuideValidator validator;

	@BeforeAll
	static void buildValidator() {
		FhirContext fhir = FhirContext.forR4Cached();
		List<GuidePackage> packages = GuidePackage.loadAll();
		validator = new GuideValidator(fhir, packages, List.of(), new ProfileSelector(fhir, packages.get(0)));
	}

	static Stream<GuideFixtures.Example> validExamples() {
		return GuideFixtures.validExamples().stream();
	}

	static Stream<GuideFixtures.Invalid> invalidExamples() {
		return GuideFixtures.invalidExamples().stream();
	}

	@Test
	void everyProfileHasAtLeastTwoValidExamples() {
		List<String> selected = GuideFixtures.validExamples().stream()
				.flatMap(e -> validator.selector().profilesFor(e.resource()).stream())
				.toList();
		for (String profile : List.of(
				ProfileSelector.PRACTITIONER, ProfileSelector.PRACTITIONER_ROLE, ProfileSelector.ORGANIZATION,
				ProfileSelector.HEALTHCARE_SERVICE, ProfileSelector.COMMUNITY_SERVICE, ProfileSelector.ORGANIZATION,
				ProfileSelector.COMMUNITY_ORGANIZATION, ProfileSelector.LOCATION, ProfileSelector.SCREENING_RESPONSE,
				ProfileSelector.ASSESSMENT, ProfileSelector.CONDITION, ProfileSelector.GOAL,
				ProfileSelector.INTERVENTION, ProfileSelector.REFERRAL, ProfileSelector.REFERRAL_TASK,
				ProfileSelector.CONSENT)) {
			assertThat(selected).as(profile).filteredOn(profile::equals).hasSizeGreaterThanOrEqualTo(2);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("validExamples")
	void validExampleHasNoErrors(GuideFixtures.Example example) {
		assertThat(errors(validator.validate(example.resource()).getMessages()))
				.as(example.file())
				.isEmpty();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidExamples")
	void invalidExampleFailsWhereExpected(GuideFixtures.Invalid invalid) {
		assertThat(validator.selector().profilesFor(invalid.resource()))
				.as("the server must select %s for %s by type/category", invalid.profile(), invalid.file())
				.contains(invalid.profile());
		List<SingleValidationMessage> errors = errors(validator.validate(invalid.resource()).getMessages());
		assertThat(errors)
				.as("%s: expected an error at %s containing '%s'", invalid.file(), invalid.expression(), invalid.message())
				.anySatisfy(error -> {
					assertThat(error.getLocationString()).startsWith(invalid.expression());
					assertThat(error.getMessage()).contains(invalid.message());
				});
	}

	static List<SingleValidationMessage> errors(List<SingleValidationMessage> messages) {
		return messages.stream()
				.filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
				.toList();
	}
}
