package org.equityfhir.guide;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Goal;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.Test;

/** The selection rule: a role-specific profile applies only when the resource says it plays that role. */
class ProfileSelectorTest {

	private final ProfileSelector selector =
			new ProfileSelector(FhirContext.forR4Cached(), GuidePackage.load(GuidePackage.TERMINOLOGY_ID));

	private static CodeableConcept concept(String system, String code) {
		return new CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(system, code, null));
	}

	private static final CodeableConcept SDOH = concept(ProfileSelector.US_CORE_CATEGORY, "sdoh");
	private static final CodeableConcept SURVEY = concept(ProfileSelector.OBSERVATION_CATEGORY, "survey");
	private static final CodeableConcept FOOD_INSECURITY = concept(ProfileSelector.GRAVITY_CODES, "food-insecurity");

	@Test
	void practitionersAndLocationsAlwaysHaveTheirProfileAndPatientsOnlyWhenTheyAskForIt() {
		assertThat(selector.profilesFor(new Practitioner())).containsExactly(ProfileSelector.PRACTITIONER);
		assertThat(selector.profilesFor(new Patient())).isEmpty();
		Patient declared = new Patient();
		declared.getMeta().addProfile(ProfileSelector.PATIENT);
		assertThat(selector.profilesFor(declared)).containsExactly(ProfileSelector.PATIENT);
	}

	@Test
	void aHealthcareServiceIsACommunityServiceOnlyWhenItSaysSo() {
		HealthcareService oncology = new HealthcareService().addCategory(
				concept("http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/HealthcareServiceCategoryCS", "prov"));
		assertThat(selector.profilesFor(oncology)).containsExactly(ProfileSelector.HEALTHCARE_SERVICE);
		assertThat(selector.profilesFor(new HealthcareService().addCategory(FOOD_INSECURITY)))
				.containsExactly(ProfileSelector.COMMUNITY_SERVICE);
		assertThat(selector.profilesFor(new HealthcareService().addType(
						concept("http://equityfhir.org/fhir/CodeSystem/community-service-type", "food-pantry"))))
				.containsExactly(ProfileSelector.COMMUNITY_SERVICE);
	}

	@Test
	void anOrganizationIsACommunityOrganizationOnlyWhenItsTypeSaysSo() {
		assertThat(selector.profilesFor(new Organization().addType(concept(ProfileSelector.ORGANIZATION_TYPE, "prov"))))
				.containsExactly(ProfileSelector.ORGANIZATION);
		assertThat(selector.profilesFor(new Organization().addType(concept(ProfileSelector.ORGANIZATION_TYPE, "cg"))))
				.containsExactly(ProfileSelector.COMMUNITY_ORGANIZATION);
	}

	@Test
	void observations() {
		Observation heartRate = new Observation().setCode(concept("http://loinc.org", "8867-4"));
		heartRate.addCategory(concept(ProfileSelector.OBSERVATION_CATEGORY, "vital-signs"));
		assertThat(selector.profilesFor(heartRate)).isEmpty();

		// Synthea writes PRAPARE (93025-5) with the survey category only: not an SDOH screening by our rule.
		Observation prapare = new Observation().setCode(concept("http://loinc.org", "93025-5")).addCategory(SURVEY);
		assertThat(selector.profilesFor(prapare)).isEmpty();
		assertThat(selector.profilesFor(prapare.copy().addCategory(SDOH))).containsExactly(ProfileSelector.SCREENING_RESPONSE);

		Observation assessment = new Observation().setCode(concept("http://snomed.info/sct", "733423003")).addCategory(SDOH);
		assertThat(selector.profilesFor(assessment)).containsExactly(ProfileSelector.ASSESSMENT);

		Observation pronouns = new Observation().setCode(concept("http://loinc.org", "90778-2"))
				.addCategory(concept(ProfileSelector.GRAVITY_CODES, "personal-characteristic"));
		assertThat(selector.profilesFor(pronouns)).as("a personal characteristic is not an SDOH assessment").isEmpty();
	}

	@Test
	void conditionsAndGoalsByTheirCategory() {
		Condition diagnosis = new Condition().setCode(concept(ProfileSelector.ICD_10_CM, "Z59.41"));
		diagnosis.addCategory(concept("http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis"));
		assertThat(selector.profilesFor(diagnosis)).as("a Z code alone is a US Core encounter diagnosis").isEmpty();
		assertThat(selector.profilesFor(diagnosis.copy().addCategory(SDOH))).containsExactly(ProfileSelector.CONDITION);

		assertThat(selector.profilesFor(new Goal().addCategory(FOOD_INSECURITY))).containsExactly(ProfileSelector.GOAL);
	}

	@Test
	void referralsTheirTasksAndConsents() {
		ServiceRequest labOrder = new ServiceRequest().setCode(concept("http://loinc.org", "2345-7"));
		assertThat(selector.profilesFor(labOrder)).isEmpty();
		assertThat(selector.profilesFor(new ServiceRequest().addCategory(SDOH))).containsExactly(ProfileSelector.REFERRAL);

		assertThat(selector.profilesFor(new Task())).isEmpty();
		assertThat(selector.profilesFor(new Task().setCode(concept(ProfileSelector.TASK_CODE, "fulfill"))))
				.containsExactly(ProfileSelector.REFERRAL_TASK);
		assertThat(selector.profilesFor(new Task().setCode(concept(ProfileSelector.TASK_CODE, "approve")))).isEmpty();

		assertThat(selector.profilesFor(new Consent().addCategory(concept(ProfileSelector.ACT_CODE, "IDSCL"))))
				.containsExactly(ProfileSelector.CONSENT);
		assertThat(selector.profilesFor(new Consent().addCategory(
						concept("http://loinc.org", "59284-0")))).as("a consent document of another kind").isEmpty();
	}

	@Test
	void everyRuleNamesAProfileOfOurPackage() {
		java.util.Set<String> profiles = new java.util.HashSet<>();
		try {
			var npm = GuidePackage.load(GuidePackage.PROFILES_ID).npm();
			for (String file : npm.listResources(java.util.Set.of("StructureDefinition"))) {
				try (var in = npm.load("package", file)) {
					profiles.add(((org.hl7.fhir.r4.model.StructureDefinition)
							FhirContext.forR4Cached().newJsonParser().parseResource(in)).getUrl());
				}
			}
		} catch (java.io.IOException e) {
			throw new java.io.UncheckedIOException(e);
		}
		assertThat(selector.rules()).allSatisfy(rule -> assertThat(profiles).contains(rule.profile()));
	}
}
