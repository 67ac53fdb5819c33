package org.equityfhir.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import java.util.List;
import org.equityfhir.guide.GuidePackage;
import org.equityfhir.guide.GuideValidator;
import org.equityfhir.guide.ProfileSelector;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The attestation form as packaged, and what a completed form must satisfy before anything is written. */
class AttestationFormTest {

	private static FhirContext fhir;
	private static List<GuidePackage> packages;
	private static AttestationForm form;

	@BeforeAll
	static void load() {
		fhir = FhirContext.forR4Cached();
		packages = GuidePackage.loadAll();
		form = new AttestationForm(fhir, packages.get(1), packages.get(0));
	}

	static AttestationResponses complete() {
		return AttestationResponses.form("2026-11-20T09:30:00Z")
				.language("so", "30").language("en", "50")
				.competency("somali", "lived-experience", "training-completed")
				.race("2054-5").raceDetailed("2060-2")
				.ethnicity("2186-5")
				.display(true, true, false);
	}

	@Test
	void theQuestionnaireIsPackagedCompletedAndValid() {
		Questionnaire q = form.questionnaire();
		assertThat(q.getUrl()).isEqualTo("http://equityfhir.org/fhir/Questionnaire/clinician-diversity-attestation");
		assertThat(q.getStatus()).as("filled by the guide build").isEqualTo(PublicationStatus.ACTIVE);
		assertThat(q.getVersion()).isEqualTo(packages.get(1).version());
		GuideValidator validator = new GuideValidator(fhir, packages, List.of(), new ProfileSelector(fhir, packages.get(0)));
		assertThat(validator.validate(q).getMessages())
				.filteredOn(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
				.isEmpty();
	}

	@Test
	void theFormAsksEveryCategoryWithRepeatingGroups() {
		Questionnaire q = form.questionnaire();
		assertThat(q.getItem()).extracting(Questionnaire.QuestionnaireItemComponent::getLinkId)
				.containsExactly("languages", "cultural-competencies", "race", "ethnicity", "display");
		assertThat(q.getItem().get(0).getRepeats()).isTrue();
		assertThat(q.getItem().get(1).getRepeats()).isTrue();
		assertThat(q.getItem().get(4).getItem()).extracting(i -> i.getCodeFirstRep().getCode())
				.containsExactly("languages", "cultural-competencies", "race-ethnicity");
		assertThat(form.display(AttestationForm.VALUE_SETS + "omb-race-category", new Coding(AttestationResponses.NULL_FLAVOR, "ASKU", null)))
				.as("'prefer not to say' is an answer the race list offers").isEqualTo("asked but unknown");
	}

	@Test
	void aCompleteFormPassesAndReplacesTheAttestedAttributes() {
		QuestionnaireResponse response = complete().build();
		form.check(response);
		Practitioner p = new Practitioner();
		p.addIdentifier().setSystem("http://hl7.org/fhir/sid/us-npi").setValue("1234567893");
		p.addExtension("http://example.org/other", new org.hl7.fhir.r4.model.StringType("kept"));
		p.addCommunication().addCoding().setSystem("urn:ietf:bcp:47").setCode("fr");
		Attestation.read(response, form).applyTo(p);
		assertThat(p.getCommunication()).extracting(c -> c.getCodingFirstRep().getCode()).containsExactly("so", "en");
		assertThat(p.getCommunicationFirstRep().getExtensionByUrl(Attestation.PROFICIENCY).getValue())
				.extracting(v -> ((org.hl7.fhir.r4.model.CodeableConcept) v).getCodingFirstRep().getCode()).isEqualTo("30");
		assertThat(p.getExtensionByUrl("http://example.org/other")).isNotNull();
		assertThat(p.getIdentifierFirstRep().getValue()).isEqualTo("1234567893");
		Extension race = p.getExtensionByUrl(Attestation.RACE);
		assertThat(race.getExtensionsByUrl("ombCategory")).hasSize(1);
		assertThat(race.getExtensionsByUrl("detailed")).hasSize(1);
		assertThat(race.getExtensionString("text")).isEqualTo("Black or African American, African");
		assertThat(p.getExtensionsByUrl(Attestation.DISPLAY_CONSENT)).hasSize(3);
	}

	@Test
	void preferNotToSayIsTheOnlyAnswerWhenChosen() {
		QuestionnaireResponse declined = AttestationResponses.form("2026-11-20T09:30:00Z").language("en", "50")
				.race("ASKU").ethnicity("ASKU").display(true, false, false).build();
		form.check(declined);
		Practitioner p = new Practitioner();
		Attestation.read(declined, form).applyTo(p);
		Extension race = p.getExtensionByUrl(Attestation.RACE);
		assertThat(((Coding) race.getExtensionByUrl("ombCategory").getValue()).getCode()).isEqualTo("ASKU");
		assertThat(race.getExtensionString("text")).isEqualTo("Prefer not to say");

		QuestionnaireResponse mixed = AttestationResponses.form("2026-11-20T09:30:00Z").language("en", "50")
				.race("ASKU", "2106-3").ethnicity("2186-5").display(true, false, false).build();
		form.check(mixed);
		assertRefused(() -> Attestation.read(mixed, form), "QuestionnaireResponse.item[1]");
	}

	@Test
	void aCodeOutsideTheFormsValueSetIsRefusedAtItsAnswer() {
		assertRefused(() -> form.check(AttestationResponses.form("2026-11-20T09:30:00Z").language("so", "35")
				.race("2054-5").ethnicity("2186-5").display(true, true, true).build()),
				"QuestionnaireResponse.item[0].item[1].answer[0].value");
		assertRefused(() -> form.check(AttestationResponses.form("2026-11-20T09:30:00Z").language("qq-zz", "30")
				.race("2054-5").ethnicity("2186-5").display(true, true, true).build()),
				"QuestionnaireResponse.item[0].item[0].answer[0].value");
		assertRefused(() -> form.check(AttestationResponses.form("2026-11-20T09:30:00Z").language("so", "30")
				.competency("somali", "hearsay").race("2054-5").ethnicity("2186-5").display(true, true, true).build()),
				"QuestionnaireResponse.item[1].item[1].answer[0].value");
	}

	@Test
	void anyValidLanguageTagIsAccepted() {
		form.check(AttestationResponses.form("2026-11-20T09:30:00Z").language("ja", "20").language("es-MX", "50")
				.race("2028-9").ethnicity("2135-2").display(true, true, true).build());
	}

	@Test
	void missingAnswersAndOtherFormsAreRefused() {
		assertRefused(() -> form.check(AttestationResponses.form("2026-11-20T09:30:00Z").language("so", "30")
				.race("2054-5").ethnicity("2186-5").build()), "QuestionnaireResponse");
		QuestionnaireResponse other = complete().build();
		other.setQuestionnaire("http://example.org/Questionnaire/other");
		assertRefused(() -> form.check(other), "QuestionnaireResponse.questionnaire");
		QuestionnaireResponse undated = complete().build();
		undated.setAuthoredElement(null);
		assertRefused(() -> form.check(undated), "QuestionnaireResponse.authored");
	}

	@Test
	void itemsOutsideTheFormAndRepeatedSingleAnswersAreRefused() {
		QuestionnaireResponse unknown = complete().build();
		unknown.getItem().get(0).addItem().setLinkId("dialect").addAnswer().setValue(new org.hl7.fhir.r4.model.StringType("Maay"));
		assertRefused(() -> form.check(unknown), "QuestionnaireResponse.item[0].item[2]");

		QuestionnaireResponse twice = complete().build();
		twice.getItem().get(0).getItem().get(1).addAnswer().setValue(new Coding(AttestationResponses.ILR, "40", null));
		assertRefused(() -> form.check(twice), "QuestionnaireResponse.item[0].item[1].answer[1]");

		QuestionnaireResponse notBoolean = complete().build();
		notBoolean.getItem().get(5).getItem().get(0).getAnswerFirstRep().setValue(new org.hl7.fhir.r4.model.StringType("yes"));
		assertRefused(() -> form.check(notBoolean), "QuestionnaireResponse.item[5].item[0].answer[0]");
	}

	private static void assertRefused(Runnable call, String expression) {
		assertThatThrownBy(call::run).isInstanceOfSatisfying(UnprocessableEntityException.class, e -> {
			OperationOutcome outcome = (OperationOutcome) e.getOperationOutcome();
			assertThat(outcome.getIssueFirstRep().getExpression()).extracting(x -> x.getValue()).containsExactly(expression);
		});
	}
}
