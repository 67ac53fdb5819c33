package org.equityfhir.directory;

import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;

/** Completed clinician-diversity-attestation forms, built as a form filler would send them. */
final class AttestationResponses {

	static final String BCP47 = "urn:ietf:bcp:47";
	static final String ILR = "http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/LanguageProficiencyCS";
	static final String COMPETENCY = "http://equityfhir.org/fhir/CodeSystem/cultural-competency";
	static final String EVIDENCE = "http://equityfhir.org/fhir/CodeSystem/competency-evidence";
	static final String CDC = "urn:oid:2.16.840.1.113883.6.238";
	static final String NULL_FLAVOR = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor";

	private final QuestionnaireResponse response = new QuestionnaireResponse();
	private final QuestionnaireResponseItemComponent race;
	private final QuestionnaireResponseItemComponent ethnicity;
	private final QuestionnaireResponseItemComponent display;

	private AttestationResponses(String authored) {
		response.setQuestionnaire(AttestationForm.URL);
		response.setStatus(QuestionnaireResponse.QuestionnaireResponseStatus.COMPLETED);
		response.setAuthoredElement(new DateTimeType(authored));
		race = new QuestionnaireResponseItemComponent().setLinkId("race");
		ethnicity = new QuestionnaireResponseItemComponent().setLinkId("ethnicity");
		display = new QuestionnaireResponseItemComponent().setLinkId("display");
	}

	static AttestationResponses form(String authored) {
		return new AttestationResponses(authored);
	}

	AttestationResponses language(String tag, String proficiency) {
		QuestionnaireResponseItemComponent group = response.addItem().setLinkId("languages");
		group.addItem().setLinkId("language").addAnswer().setValue(new Coding(BCP47, tag, null));
		group.addItem().setLinkId("proficiency").addAnswer().setValue(new Coding(ILR, proficiency, null));
		return this;
	}

	AttestationResponses competency(String code, String... evidence) {
		QuestionnaireResponseItemComponent group = response.addItem().setLinkId("cultural-competencies");
		group.addItem().setLinkId("competency").addAnswer().setValue(new Coding(COMPETENCY, code, null));
		QuestionnaireResponseItemComponent ev = group.addItem().setLinkId("evidence");
		for (String e : evidence) {
			ev.addAnswer().setValue(new Coding(EVIDENCE, e, null));
		}
		return this;
	}

	AttestationResponses race(String... ombCodes) {
		QuestionnaireResponseItemComponent item = race.addItem().setLinkId("race-category");
		for (String code : ombCodes) {
			item.addAnswer().setValue(code.equals("ASKU") ? new Coding(NULL_FLAVOR, code, null) : new Coding(CDC, code, null));
		}
		return this;
	}

	AttestationResponses raceDetailed(String... codes) {
		QuestionnaireResponseItemComponent item = race.addItem().setLinkId("race-detailed");
		for (String code : codes) {
			item.addAnswer().setValue(new Coding(CDC, code, null));
		}
		return this;
	}

	AttestationResponses raceText(String text) {
		race.addItem().setLinkId("race-text").addAnswer().setValue(new StringType(text));
		return this;
	}

	AttestationResponses ethnicity(String ombCode) {
		ethnicity.addItem().setLinkId("ethnicity-category").addAnswer()
				.setValue(ombCode.equals("ASKU") ? new Coding(NULL_FLAVOR, ombCode, null) : new Coding(CDC, ombCode, null));
		return this;
	}

	AttestationResponses display(boolean languages, boolean competencies, boolean raceEthnicity) {
		display.addItem().setLinkId("display-languages").addAnswer().setValue(new BooleanType(languages));
		display.addItem().setLinkId("display-cultural-competencies").addAnswer().setValue(new BooleanType(competencies));
		display.addItem().setLinkId("display-race-ethnicity").addAnswer().setValue(new BooleanType(raceEthnicity));
		return this;
	}

	AttestationResponses author(String reference) {
		response.setAuthor(new Reference(reference));
		return this;
	}

	QuestionnaireResponse build() {
		QuestionnaireResponse built = response.copy();
		if (race.hasItem()) {
			built.addItem(race.copy());
		}
		if (ethnicity.hasItem()) {
			built.addItem(ethnicity.copy());
		}
		if (display.hasItem()) {
			built.addItem(display.copy());
		}
		return built;
	}
}
