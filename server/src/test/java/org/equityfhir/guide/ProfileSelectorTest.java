package org.equityfhir.guide;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Goal;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.Test;

/** The selection rules that decide which profile a write must meet, independent of meta.profile. */
class ProfileSelectorTest {

	private final ProfileSelector selector =
			new ProfileSelector(FhirContext.forR4Cached(), GuidePackage.load(GuidePackage.TERMINOLOGY_ID));

	private static CodeableConcept concept(String system, String code) {
		return new CodeableConcept().addCoding(new org.hl7.fhir.r4.model.Coding(system, code, null));
	}

	@Test
	void directoryTypesAlwaysHaveTheirProfile() {
		assertThat(selector.profilesFor(new Practitioner())).containsExactly(ProfileSelector.PRACTITIONER);
		assertThat(selector.profilesFor(new Patient())).isEmpty();
	}

	@Test
	void aScreeningQuestionIsAScreeningResponseEvenWithoutItsCategories() {
		Observation hungerQuestion = new Observation().setCode(concept("http://loinc.org", "88122-7"));
		assertThat(selector.profilesFor(hungerQuestion)).containsExactly(ProfileSelector.SCREENING_RESPONSE);
	}

	@Test
	void observationsOutsideSdohAreNotProfiled() {
		Observation heartRate = new Observation().setCode(concept("http://loinc.org", "8867-4"));
		heartRate.addCategory(concept(ProfileSelector.OBSERVATION_CATEGORY, "vital-signs"));
		assertThat(selector.profilesFor(heartRate)).isEmpty();

		Observation assessment = new Observation().setCode(concept("http://snomed.info/sct", "733423003"));
		assessment.addCategory(concept(ProfileSelector.US_CORE_CATEGORY, "sdoh"));
		assertThat(selector.profilesFor(assessment)).containsExactly(ProfileSelector.ASSESSMENT);
	}

	@Test
	void aZCodeMakesAnSdohConditionAndAGravityDomainMakesAnSdohGoal() {
		Condition condition = new Condition().setCode(concept(ProfileSelector.ICD_10_CM, "Z59.41"));
		assertThat(selector.profilesFor(condition)).containsExactly(ProfileSelector.CONDITION);
		assertThat(selector.profilesFor(new Condition().setCode(concept(ProfileSelector.ICD_10_CM, "E11.9")))).isEmpty();

		Goal goal = new Goal();
		goal.addCategory(concept(ProfileSelector.GRAVITY_DOMAINS, "food-insecurity"));
		assertThat(selector.profilesFor(goal)).containsExactly(ProfileSelector.GOAL);
	}

	@Test
	void referralsAndTheirTasks() {
		ServiceRequest labOrder = new ServiceRequest().setCode(concept("http://loinc.org", "2345-7"));
		assertThat(selector.profilesFor(labOrder)).isEmpty();
		ServiceRequest referral = new ServiceRequest();
		referral.addCategory(concept(ProfileSelector.US_CORE_CATEGORY, "sdoh"));
		assertThat(selector.profilesFor(referral)).containsExactly(ProfileSelector.REFERRAL);

		assertThat(selector.profilesFor(new Task())).containsExactly(ProfileSelector.REFERRAL_TASK);
		assertThat(selector.profilesFor(new Task().setCode(concept(ProfileSelector.TASK_CODE, "fulfill"))))
				.containsExactly(ProfileSelector.REFERRAL_TASK);
		assertThat(selector.profilesFor(new Task().setCode(concept(ProfileSelector.TASK_CODE, "approve")))).isEmpty();
	}
}
