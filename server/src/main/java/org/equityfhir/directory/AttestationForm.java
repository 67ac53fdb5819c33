package org.equityfhir.directory;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.ConceptValidationOptions;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.equityfhir.api.Outcomes;
import org.equityfhir.guide.GuidePackage;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.Questionnaire.QuestionnaireItemComponent;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemAnswerComponent;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemComponent;
import org.hl7.fhir.r4.model.ValueSet;

/**
 * The clinician-diversity-attestation form of our guide, and the check of a completed one against it.
 * The Questionnaire in the package is the definition: item structure, required and repeating items and
 * answer value sets are read from it, so the form and the check cannot drift apart. Every refusal names
 * the FHIRPath of the offending QuestionnaireResponse element, because the clinician fixes the form, not
 * the Practitioner the server derives from it.
 */
final class AttestationForm {

	static final String URL = "http://equityfhir.org/fhir/Questionnaire/clinician-diversity-attestation";
	static final String FILE = "Questionnaire-clinician-diversity-attestation.json";
	static final String VALUE_SETS = "http://equityfhir.org/fhir/ValueSet/";
	static final String BCP47 = "urn:ietf:bcp:47";
	static final String NULL_FLAVOR = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor";

	private final Questionnaire questionnaire;
	/** answerValueSet URL -> "system|code" -> display */
	private final Map<String, Map<String, String>> answerCodes = new HashMap<>();
	private final IValidationSupport languageTags;
	private final FhirContext fhirContext;

	AttestationForm(FhirContext fhirContext, GuidePackage profiles, GuidePackage terminology) {
		this.fhirContext = fhirContext;
		this.questionnaire = profiles.resource(fhirContext, FILE, Questionnaire.class);
		loadAnswerCodes(terminology);
		// BCP-47 is a grammar plus IANA's registry, not a list: HAPI's common code systems check it offline.
		this.languageTags = new ValidationSupportChain(
				new DefaultProfileValidationSupport(fhirContext), new CommonCodeSystemsTerminologyService(fhirContext));
	}

	Questionnaire questionnaire() {
		return questionnaire;
	}


	/** The value sets the form offers are all enumerated in our terminology package, or whole code systems of it. */
	private void loadAnswerCodes(GuidePackage terminology) {
		List<Questionnaire.QuestionnaireItemComponent> all = new ArrayList<>();
		collect(questionnaire.getItem(), all);
		for (QuestionnaireItemComponent item : all) {
			if (!item.hasAnswerValueSet() || answerCodes.containsKey(item.getAnswerValueSet())) {
				continue;
			}
			String url = item.getAnswerValueSet();
			String id = url.substring(url.lastIndexOf('/') + 1);
			ValueSet vs = terminology.resource(fhirContext, "ValueSet-" + id + ".json", ValueSet.class);
			Map<String, String> codes = new LinkedHashMap<>();
			for (ValueSet.ConceptSetComponent include : vs.getCompose().getInclude()) {
				if (include.hasConcept()) {
					include.getConcept().forEach(c -> codes.put(include.getSystem() + "|" + c.getCode(), c.getDisplay()));
				} else {
					String csId = include.getSystem().substring(include.getSystem().lastIndexOf('/') + 1);
					CodeSystem cs = terminology.resource(fhirContext, "CodeSystem-" + csId + ".json", CodeSystem.class);
					flatten(include.getSystem(), cs.getConcept(), codes);
				}
			}
			answerCodes.put(url, Map.copyOf(codes));
		}
	}

	private static void collect(List<QuestionnaireItemComponent> items, List<QuestionnaireItemComponent> into) {
		for (QuestionnaireItemComponent item : items) {
			into.add(item);
			collect(item.getItem(), into);
		}
	}

	private static void flatten(String system, List<CodeSystem.ConceptDefinitionComponent> concepts, Map<String, String> into) {
		for (CodeSystem.ConceptDefinitionComponent c : concepts) {
			into.put(system + "|" + c.getCode(), c.getDisplay());
			flatten(system, c.getConcept(), into);
		}
	}

	/** The display our value set gives a code, for text the clinician did not type. */
	String display(String answerValueSet, Coding coding) {
		if (coding.hasDisplay()) {
			return coding.getDisplay();
		}
		return answerCodes.getOrDefault(answerValueSet, Map.of()).getOrDefault(coding.getSystem() + "|" + coding.getCode(), coding.getCode());
	}

	/**
	 * Checks a QuestionnaireResponse against the form: the questionnaire it answers, its status and time,
	 * each item's linkId, cardinality, answer type and code. Throws 422 at the first problem.
	 */
	void check(QuestionnaireResponse response) {
		String canonical = response.getQuestionnaire();
		if (canonical == null || !(canonical.equals(URL) || canonical.startsWith(URL + "|"))) {
			throw refusal(OperationOutcome.IssueType.INVALID, "QuestionnaireResponse.questionnaire",
					"The attestation must answer " + URL + ", not " + canonical);
		}
		if (response.getStatus() != QuestionnaireResponse.QuestionnaireResponseStatus.COMPLETED
				&& response.getStatus() != QuestionnaireResponse.QuestionnaireResponseStatus.AMENDED) {
			throw refusal(OperationOutcome.IssueType.BUSINESSRULE, "QuestionnaireResponse.status",
					"Only a completed (or amended) form is an attestation");
		}
		if (!response.hasAuthored()) {
			throw refusal(OperationOutcome.IssueType.REQUIRED, "QuestionnaireResponse.authored",
					"The attestation needs the time it was made (authored)");
		}
		checkItems(questionnaire.getItem(), response.getItem(), "QuestionnaireResponse");
	}

	private void checkItems(List<QuestionnaireItemComponent> definitions, List<QuestionnaireResponseItemComponent> items, String parent) {
		Map<String, QuestionnaireItemComponent> byLinkId = new LinkedHashMap<>();
		definitions.forEach(d -> byLinkId.put(d.getLinkId(), d));
		Map<String, Integer> seen = new HashMap<>();
		for (int i = 0; i < items.size(); i++) {
			QuestionnaireResponseItemComponent item = items.get(i);
			String path = parent + ".item[" + i + "]";
			QuestionnaireItemComponent definition = byLinkId.get(item.getLinkId());
			if (definition == null) {
				throw refusal(OperationOutcome.IssueType.STRUCTURE, path,
						"linkId '" + item.getLinkId() + "' is not an item of the form here (expected one of " + byLinkId.keySet() + ")");
			}
			if (seen.merge(item.getLinkId(), 1, Integer::sum) > 1 && !definition.getRepeats()) {
				throw refusal(OperationOutcome.IssueType.STRUCTURE, path, "'" + item.getLinkId() + "' is answered only once");
			}
			if (definition.getType() == Questionnaire.QuestionnaireItemType.GROUP) {
				if (item.hasAnswer()) {
					throw refusal(OperationOutcome.IssueType.STRUCTURE, path + ".answer[0]", "'" + item.getLinkId() + "' is a group, not a question");
				}
				checkItems(definition.getItem(), item.getItem(), path);
			} else {
				checkAnswers(definition, item, path);
			}
		}
		for (QuestionnaireItemComponent definition : definitions) {
			if (definition.getRequired() && !seen.containsKey(definition.getLinkId())) {
				throw refusal(OperationOutcome.IssueType.REQUIRED, parent,
						"'" + definition.getLinkId() + "' (" + definition.getText() + ") is required");
			}
		}
	}

	private void checkAnswers(QuestionnaireItemComponent definition, QuestionnaireResponseItemComponent item, String path) {
		List<QuestionnaireResponseItemAnswerComponent> answers = item.getAnswer();
		if (item.hasItem()) {
			throw refusal(OperationOutcome.IssueType.STRUCTURE, path + ".item[0]", "'" + item.getLinkId() + "' has no nested items");
		}
		if (answers.isEmpty() && definition.getRequired()) {
			throw refusal(OperationOutcome.IssueType.REQUIRED, path, "'" + item.getLinkId() + "' (" + definition.getText() + ") needs an answer");
		}
		if (answers.size() > 1 && !definition.getRepeats()) {
			throw refusal(OperationOutcome.IssueType.STRUCTURE, path + ".answer[1]", "'" + item.getLinkId() + "' takes one answer");
		}
		for (int a = 0; a < answers.size(); a++) {
			QuestionnaireResponseItemAnswerComponent answer = answers.get(a);
			String at = path + ".answer[" + a + "]";
			if (answer.hasItem()) {
				throw refusal(OperationOutcome.IssueType.STRUCTURE, at + ".item[0]", "answers to '" + item.getLinkId() + "' have no nested items");
			}
			switch (definition.getType()) {
				case BOOLEAN -> {
					if (!answer.hasValueBooleanType() || !answer.getValueBooleanType().hasValue()) {
						throw refusal(OperationOutcome.IssueType.VALUE, at, "'" + item.getLinkId() + "' is answered true or false (valueBoolean)");
					}
				}
				case STRING -> {
					if (!answer.hasValueStringType() || answer.getValueStringType().getValue().isBlank()) {
						throw refusal(OperationOutcome.IssueType.VALUE, at, "'" + item.getLinkId() + "' is answered with text (valueString)");
					}
				}
				case CHOICE, OPENCHOICE -> checkCode(definition, item.getLinkId(), answer, at);
				default -> throw new IllegalStateException("The form has an item type the check does not know: " + definition.getType());
			}
		}
	}

	private void checkCode(QuestionnaireItemComponent definition, String linkId, QuestionnaireResponseItemAnswerComponent answer, String at) {
		if (!answer.hasValueCoding() || !answer.getValueCoding().hasCode()) {
			throw refusal(OperationOutcome.IssueType.VALUE, at, "'" + linkId + "' is answered with a code (valueCoding)");
		}
		Coding coding = answer.getValueCoding();
		if (definition.getType() == Questionnaire.QuestionnaireItemType.OPENCHOICE) {
			// Open choice: the offered list is a convenience; any valid BCP-47 tag is a language.
			if (!BCP47.equals(coding.getSystem()) || !isLanguageTag(coding.getCode())) {
				throw refusal(OperationOutcome.IssueType.CODEINVALID, at + ".value",
						"'" + coding.getSystem() + "|" + coding.getCode() + "' is not a BCP-47 language tag (system " + BCP47 + ")");
			}
			return;
		}
		Map<String, String> allowed = answerCodes.get(definition.getAnswerValueSet());
		if (!allowed.containsKey(coding.getSystem() + "|" + coding.getCode())) {
			throw refusal(OperationOutcome.IssueType.CODEINVALID, at + ".value",
					"'" + coding.getSystem() + "|" + coding.getCode() + "' is not in " + definition.getAnswerValueSet());
		}
	}

	private boolean isLanguageTag(String code) {
		IValidationSupport.CodeValidationResult result = languageTags.validateCode(
				new ValidationSupportContext(languageTags), new ConceptValidationOptions(), BCP47, code, null, null);
		return result != null && result.isOk();
	}

	static UnprocessableEntityException refusal(OperationOutcome.IssueType code, String expression, String message) {
		OperationOutcome outcome = Outcomes.error(code, expression + ": " + message);
		outcome.getIssueFirstRep().addExpression(expression);
		return new UnprocessableEntityException(FhirContext.forR4Cached(), outcome);
	}
}
