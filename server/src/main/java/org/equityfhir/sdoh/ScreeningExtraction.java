package org.equityfhir.sdoh;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.equityfhir.api.Outcomes;
import org.equityfhir.sdoh.ScreeningForms.Form;
import org.equityfhir.sdoh.ScreeningForms.Question;
import org.equityfhir.sdoh.ScreeningRules.HvsRisk;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemAnswerComponent;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemComponent;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * SDC extraction for our screening questionnaires: a completed response becomes a transaction Bundle of
 * screening-response Observations, derived risk Observations and, on request, a proposed Condition. A pure
 * function of the response: no clock, no random ids, no database, so the same response always gives the same
 * Bundle, and every entry is a conditional create keyed on an identifier derived from the response, so
 * posting the Bundle again stores nothing new.
 */
final class ScreeningExtraction {

	static final String URI = "urn:ietf:rfc:3986";
	static final String OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category";
	static final String US_CORE_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category";
	static final String US_CORE_CONDITION_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/condition-category";
	static final String GRAVITY = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes";
	static final String INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
	static final String ICD_10_CM = "http://hl7.org/fhir/sid/icd-10-cm";
	static final String SNOMED = "http://snomed.info/sct";

	private final ScreeningForms forms;
	private final FhirContext fhirContext;

	ScreeningExtraction(FhirContext fhirContext, ScreeningForms forms) {
		this.fhirContext = fhirContext;
		this.forms = forms;
	}

	/**
	 * A response the server holds ({@code QuestionnaireResponse/[id]/$extract}): the Observations point at
	 * it, and names derive from its id and version, so an amended response extracts afresh.
	 */
	Bundle extractStored(QuestionnaireResponse response, boolean proposeCondition) {
		Form form = check(response);
		IdType id = response.getIdElement();
		String reference = "QuestionnaireResponse/" + id.getIdPart();
		String basis = id.hasVersionIdPart() ? reference + "/_history/" + id.getVersionIdPart() : reference;
		Bundle bundle = transaction();
		build(bundle, form, response, basis, new Reference(reference), proposeCondition);
		return bundle;
	}

	/**
	 * A response the client sends ({@code QuestionnaireResponse/$extract}), perhaps never stored: it goes into
	 * the Bundle as a conditional create too, so that derivedFrom resolves, and names derive from its content.
	 */
	Bundle extractSubmitted(QuestionnaireResponse response, boolean proposeCondition) {
		Form form = check(response);
		QuestionnaireResponse record = response.copy();
		record.setIdElement(null);
		record.getMeta().setVersionIdElement(null).setLastUpdatedElement(null).setSourceElement(null);
		String basis = "sha256:" + sha256(fhirContext.newJsonParser().encodeResourceToString(record));
		String fullUrl = urn(basis, "response");
		if (!record.hasIdentifier() || !record.getIdentifier().hasValue()) {
			record.setIdentifier(new Identifier().setSystem(URI).setValue(fullUrl));
		}
		Bundle bundle = transaction();
		add(bundle, fullUrl, record, ifNoneExist(record.getIdentifier()));
		build(bundle, form, response, basis, new Reference(fullUrl), proposeCondition);
		return bundle;
	}

	private static Bundle transaction() {
		return new Bundle().setType(Bundle.BundleType.TRANSACTION);
	}

	// ---------------------------------------------------------------- checks

	/** The response must answer one of our screening forms, completed, about a Patient, at a known time, with its answers. */
	Form check(QuestionnaireResponse response) {
		Form form = forms.find(response.getQuestionnaire()).orElseThrow(() -> refusal(OperationOutcome.IssueType.NOTSUPPORTED,
				"QuestionnaireResponse.questionnaire", "'" + response.getQuestionnaire() + "' is not a screening questionnaire "
						+ "this server extracts (" + ScreeningForms.HUNGER_VITAL_SIGN + ", " + ScreeningForms.AHC_HRSN + ")"));
		if (response.getStatus() != QuestionnaireResponse.QuestionnaireResponseStatus.COMPLETED
				&& response.getStatus() != QuestionnaireResponse.QuestionnaireResponseStatus.AMENDED) {
			throw refusal(OperationOutcome.IssueType.BUSINESSRULE, "QuestionnaireResponse.status",
					"only a completed (or amended) response is extracted, not " + (response.hasStatus() ? response.getStatus().toCode() : "one without status"));
		}
		if (!response.hasSubject() || !response.getSubject().hasReference()) {
			throw refusal(OperationOutcome.IssueType.REQUIRED, "QuestionnaireResponse.subject",
					"the response needs its subject, the Patient screened");
		}
		IdType subject = new IdType(response.getSubject().getReference());
		if (!"Patient".equals(subject.getResourceType()) || !subject.hasIdPart()) {
			throw refusal(OperationOutcome.IssueType.BUSINESSRULE, "QuestionnaireResponse.subject",
					"the subject must be a Patient, not '" + response.getSubject().getReference() + "'");
		}
		if (!response.hasAuthored()) {
			throw refusal(OperationOutcome.IssueType.REQUIRED, "QuestionnaireResponse.authored",
					"the response needs the time it was answered (authored), which becomes the Observations' effective time");
		}
		Map<String, Integer> seen = new HashMap<>();
		for (int i = 0; i < response.getItem().size(); i++) {
			QuestionnaireResponseItemComponent item = response.getItem().get(i);
			String path = "QuestionnaireResponse.item[" + i + "]";
			Question question = form.questions().get(item.getLinkId());
			if (question == null) {
				throw refusal(OperationOutcome.IssueType.STRUCTURE, path + ".linkId",
						"linkId '" + item.getLinkId() + "' is not a question of " + form.url() + " (expected one of " + form.questions().keySet() + ")");
			}
			if (seen.put(item.getLinkId(), i) != null) {
				throw refusal(OperationOutcome.IssueType.STRUCTURE, path, "'" + item.getLinkId() + "' is answered twice");
			}
			if (item.hasItem()) {
				throw refusal(OperationOutcome.IssueType.STRUCTURE, path + ".item[0]", "'" + item.getLinkId() + "' has no nested items");
			}
			if (item.getAnswer().size() > 1 && !question.repeats()) {
				throw refusal(OperationOutcome.IssueType.STRUCTURE, path + ".answer[1]", "'" + item.getLinkId() + "' takes one answer");
			}
			for (int a = 0; a < item.getAnswer().size(); a++) {
				QuestionnaireResponseItemAnswerComponent answer = item.getAnswer().get(a);
				String at = path + ".answer[" + a + "]";
				if (answer.hasItem()) {
					throw refusal(OperationOutcome.IssueType.STRUCTURE, at + ".item[0]", "answers to '" + item.getLinkId() + "' have no nested items");
				}
				if (!answer.hasValueCoding() || !answer.getValueCoding().hasCode()) {
					throw refusal(OperationOutcome.IssueType.VALUE, at + ".value", "'" + item.getLinkId() + "' is answered with a code (valueCoding)");
				}
				Coding coding = answer.getValueCoding();
				if (!question.answers().containsKey(key(coding))) {
					throw refusal(OperationOutcome.IssueType.CODEINVALID, at + ".value", "'" + key(coding) + "' is not an answer to '"
							+ item.getLinkId() + "' (expected one of " + question.answers().keySet() + ")");
				}
				for (int b = 0; b < a; b++) {
					if (key(item.getAnswer().get(b).getValueCoding()).equals(key(coding))) {
						throw refusal(OperationOutcome.IssueType.STRUCTURE, at, "'" + key(coding) + "' is given twice");
					}
				}
			}
		}
		return form;
	}

	static UnprocessableEntityException refusal(OperationOutcome.IssueType code, String expression, String message) {
		OperationOutcome outcome = Outcomes.error(code, expression + ": " + message);
		outcome.getIssueFirstRep().addExpression(expression);
		return new UnprocessableEntityException(FhirContext.forR4Cached(), outcome);
	}

	// ---------------------------------------------------------------- the Bundle

	private void build(Bundle bundle, Form form, QuestionnaireResponse response, String basis, Reference source, boolean proposeCondition) {
		Map<String, QuestionnaireResponseItemComponent> answered = new LinkedHashMap<>();
		response.getItem().stream().filter(QuestionnaireResponseItemComponent::hasAnswer).forEach(i -> answered.put(i.getLinkId(), i));

		// Question Observations in the form's order, whatever the response's order: one way to write the same answers.
		Map<String, String> questionFullUrls = new HashMap<>();
		Map<String, String> answerCodes = new HashMap<>();
		for (Question question : form.questions().values()) {
			QuestionnaireResponseItemComponent item = answered.get(question.linkId());
			if (item == null) {
				continue;
			}
			String code = question.code().getCode();
			String fullUrl = urn(basis, question.linkId());
			questionFullUrls.put(code, fullUrl);
			if (item.getAnswer().size() == 1) {
				Coding answer = item.getAnswerFirstRep().getValueCoding();
				answerCodes.put(code, answer.getCode());
				add(bundle, fullUrl, answerObservation(fullUrl, question, answer, response, source), null);
			} else {
				// Multi-select (US Core): a grouping Observation for the question, one member per answer.
				Observation group = observation(fullUrl, question.code(), ScreeningRules.domains(code), response);
				group.addDerivedFrom(source.copy());
				List<Bundle.BundleEntryComponent> members = new ArrayList<>();
				for (QuestionnaireResponseItemAnswerComponent a : item.getAnswer()) {
					Coding answer = a.getValueCoding();
					String memberUrl = urn(basis, question.linkId() + "#" + key(answer));
					group.addHasMember(new Reference(memberUrl));
					members.add(entry(memberUrl, answerObservation(memberUrl, question, answer, response, source)));
				}
				add(bundle, fullUrl, group, null);
				members.forEach(bundle::addEntry);
			}
		}

		if (form.questions().values().stream().anyMatch(q -> q.code().getCode().equals(ScreeningRules.HVS_WORRIED))) {
			HvsRisk risk = HvsRisk.of(answerCodes.get(ScreeningRules.HVS_WORRIED), answerCodes.get(ScreeningRules.HVS_RAN_OUT));
			if (risk != HvsRisk.UNDECIDED) {
				String riskUrl = urn(basis, ScreeningRules.HVS_RISK);
				add(bundle, riskUrl, hvsRisk(riskUrl, risk, questionFullUrls, response), null);
				if (risk == HvsRisk.AT_RISK && proposeCondition) {
					String conditionUrl = urn(basis, "condition#food-insecurity");
					add(bundle, conditionUrl, foodInsecurity(conditionUrl, riskUrl, response), null);
				}
			}
		}
		if (ScreeningRules.HITS_ITEMS.stream().allMatch(answerCodes::containsKey)) {
			String totalUrl = urn(basis, ScreeningRules.HITS_TOTAL);
			add(bundle, totalUrl, hitsTotal(totalUrl, answerCodes, questionFullUrls, response), null);
		}
	}

	private Observation answerObservation(String fullUrl, Question question, Coding answer, QuestionnaireResponse response, Reference source) {
		String code = question.code().getCode();
		Observation o = observation(fullUrl, question.code(), ScreeningRules.domains(code), response);
		Coding value = answer.copy();
		if (!value.hasDisplay()) {
			value.setDisplay(question.answers().get(key(answer)));
		}
		o.setValue(new CodeableConcept(value));
		if (ScreeningRules.isPositive(code, answer.getCode())) {
			o.addInterpretation(positive());
		}
		o.addDerivedFrom(source.copy());
		return o;
	}

	private Observation hvsRisk(String fullUrl, HvsRisk risk, Map<String, String> questions, QuestionnaireResponse response) {
		Observation o = observation(fullUrl, new Coding(ScreeningRules.LOINC, ScreeningRules.HVS_RISK, "Food insecurity risk [HVS]"),
				List.of("food-insecurity"), response);
		o.setValue(new CodeableConcept(risk == HvsRisk.AT_RISK
				? new Coding(ScreeningRules.LOINC, ScreeningRules.AT_RISK, "At risk")
				: new Coding(ScreeningRules.LOINC, ScreeningRules.NO_RISK, "No risk")));
		if (risk == HvsRisk.AT_RISK) {
			o.addInterpretation(positive());
		}
		for (String question : List.of(ScreeningRules.HVS_WORRIED, ScreeningRules.HVS_RAN_OUT)) {
			if (questions.containsKey(question)) {
				o.addDerivedFrom(new Reference(questions.get(question)));
			}
		}
		return o;
	}

	private Observation hitsTotal(String fullUrl, Map<String, String> answers, Map<String, String> questions, QuestionnaireResponse response) {
		Observation o = observation(fullUrl, new Coding(ScreeningRules.LOINC, ScreeningRules.HITS_TOTAL, "Total score [HITS]"),
				List.of("intimate-partner-violence"), response);
		int total = ScreeningRules.HITS_ITEMS.stream().mapToInt(q -> ScreeningRules.hitsScore(answers.get(q))).sum();
		o.setValue(new Quantity().setValue(total).setUnit("{score}").setSystem("http://unitsofmeasure.org").setCode("{score}"));
		if (total > ScreeningRules.HITS_POSITIVE_ABOVE) {
			o.addInterpretation(positive());
		}
		ScreeningRules.HITS_ITEMS.forEach(q -> o.addDerivedFrom(new Reference(questions.get(q))));
		return o;
	}

	/** Gravity: a Condition generated from a questionnaire is a health concern, unconfirmed until a clinician and the patient agree. */
	private static Condition foodInsecurity(String fullUrl, String riskUrl, QuestionnaireResponse response) {
		Condition c = new Condition();
		c.addIdentifier(new Identifier().setSystem(URI).setValue(fullUrl));
		c.setClinicalStatus(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active")));
		c.setVerificationStatus(new CodeableConcept(
				new Coding("http://terminology.hl7.org/CodeSystem/condition-ver-status", "unconfirmed", "Unconfirmed")));
		c.addCategory(new CodeableConcept(new Coding(US_CORE_CONDITION_CATEGORY, "health-concern", "Health Concern")));
		c.addCategory(new CodeableConcept(new Coding(US_CORE_CATEGORY, "sdoh", "SDOH")));
		c.addCategory(new CodeableConcept(new Coding(GRAVITY, "food-insecurity", "Food Insecurity")));
		c.setCode(new CodeableConcept()
				.addCoding(new Coding(ICD_10_CM, "Z59.41", "Food insecurity"))
				.addCoding(new Coding(SNOMED, "733423003", "Food insecurity"))
				.setText("Food insecurity"));
		c.setSubject(response.getSubject().copy());
		c.setRecordedDateElement(response.getAuthoredElement().copy());
		c.addEvidence().addDetail(new Reference(riskUrl));
		return c;
	}

	private static Observation observation(String fullUrl, Coding code, List<String> domains, QuestionnaireResponse response) {
		Observation o = new Observation();
		o.addIdentifier(new Identifier().setSystem(URI).setValue(fullUrl));
		o.setStatus(Observation.ObservationStatus.FINAL);
		o.addCategory(new CodeableConcept(new Coding(OBSERVATION_CATEGORY, "social-history", "Social History")));
		o.addCategory(new CodeableConcept(new Coding(OBSERVATION_CATEGORY, "survey", "Survey")));
		o.addCategory(new CodeableConcept(new Coding(US_CORE_CATEGORY, "sdoh", "SDOH")));
		domains.forEach(d -> o.addCategory(new CodeableConcept(new Coding(GRAVITY, d, null))));
		o.setCode(new CodeableConcept(code.copy()));
		o.setSubject(response.getSubject().copy());
		o.setEffective(response.getAuthoredElement().copy());
		if (response.hasSource()) {
			// Who answered: Gravity's screening responses name the patient who did as performer.
			o.addPerformer(response.getSource().copy());
		}
		return o;
	}

	private static CodeableConcept positive() {
		return new CodeableConcept(new Coding(INTERPRETATION, "POS", "Positive"));
	}

	// ---------------------------------------------------------------- names

	private static void add(Bundle bundle, String fullUrl, Resource resource, String ifNoneExist) {
		Bundle.BundleEntryComponent entry = entry(fullUrl, resource);
		if (ifNoneExist != null) {
			entry.getRequest().setIfNoneExist(ifNoneExist);
		}
		bundle.addEntry(entry);
	}

	/** A conditional create on the identifier every extracted resource carries (its own fullUrl). */
	private static Bundle.BundleEntryComponent entry(String fullUrl, Resource resource) {
		Bundle.BundleEntryComponent entry = new Bundle.BundleEntryComponent().setFullUrl(fullUrl).setResource(resource);
		entry.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl(resource.fhirType())
				.setIfNoneExist("identifier=" + URI + "|" + fullUrl);
		return entry;
	}

	private static String ifNoneExist(Identifier identifier) {
		String value = escape(identifier.getValue());
		return "identifier=" + (identifier.hasSystem() ? escape(identifier.getSystem()) + "|" + value : value);
	}

	/** FHIR search escapes, then URL encoding, so that any identifier survives the match URL. */
	private static String escape(String value) {
		String fhir = value.replace("\\", "\\\\").replace("|", "\\|").replace(",", "\\,").replace("$", "\\$");
		return java.net.URLEncoder.encode(fhir, StandardCharsets.UTF_8).replace("%3A", ":").replace("%2F", "/");
	}

	/** A name-based (version 3) UUID: the same response and item always give the same id. */
	static String urn(String basis, String name) {
		return "urn:uuid:" + UUID.nameUUIDFromBytes((basis + "#" + name).getBytes(StandardCharsets.UTF_8));
	}

	private static String key(Coding coding) {
		return coding.getSystem() + "|" + coding.getCode();
	}

	private static String sha256(String text) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		} catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
		}
	}
}
