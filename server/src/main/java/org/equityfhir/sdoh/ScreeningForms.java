package org.equityfhir.sdoh;

import ca.uhn.fhir.context.FhirContext;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.equityfhir.guide.GuidePackage;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.ValueSet;

/**
 * The screening questionnaires of our guide, read from its packages: which questions each has, their LOINC
 * codes and the answers each question accepts. The Questionnaire and its value sets are the definition,
 * so the form a client renders and the check $extract makes cannot drift apart.
 */
final class ScreeningForms {

	static final String HUNGER_VITAL_SIGN = "http://equityfhir.org/fhir/Questionnaire/hunger-vital-sign";
	static final String AHC_HRSN = "http://equityfhir.org/fhir/Questionnaire/ahc-hrsn";

	/** One question: its linkId, LOINC code, whether it takes several answers, and its answers ("system|code" to display). */
	record Question(String linkId, Coding code, boolean repeats, Map<String, String> answers) {}

	/** One questionnaire, its questions in the order the form asks them. */
	record Form(String url, Map<String, Question> questions) {}

	private final Map<String, Form> forms = new LinkedHashMap<>();

	ScreeningForms(FhirContext fhirContext, GuidePackage profiles, GuidePackage terminology) {
		for (String url : List.of(HUNGER_VITAL_SIGN, AHC_HRSN)) {
			String file = "Questionnaire-" + url.substring(url.lastIndexOf('/') + 1) + ".json";
			Questionnaire questionnaire = profiles.resource(fhirContext, file, Questionnaire.class);
			Map<String, Question> questions = new LinkedHashMap<>();
			for (Questionnaire.QuestionnaireItemComponent item : questionnaire.getItem()) {
				questions.put(item.getLinkId(), new Question(item.getLinkId(), item.getCodeFirstRep().copy(),
						item.getRepeats(), answers(fhirContext, terminology, item.getAnswerValueSet())));
			}
			forms.put(url, new Form(url, Collections.unmodifiableMap(questions)));
		}
	}

	/** The form a response answers ({@code questionnaire}, with or without a {@code |version}). */
	Optional<Form> find(String canonical) {
		if (canonical == null) {
			return Optional.empty();
		}
		int bar = canonical.indexOf('|');
		return Optional.ofNullable(forms.get(bar < 0 ? canonical : canonical.substring(0, bar)));
	}

	/** Our answer value sets enumerate their codes (terminology/README.md), so they are read, not expanded. */
	private static Map<String, String> answers(FhirContext fhirContext, GuidePackage terminology, String valueSetUrl) {
		String file = "ValueSet-" + valueSetUrl.substring(valueSetUrl.lastIndexOf('/') + 1) + ".json";
		ValueSet valueSet = terminology.resource(fhirContext, file, ValueSet.class);
		Map<String, String> codes = new LinkedHashMap<>();
		for (ValueSet.ConceptSetComponent include : valueSet.getCompose().getInclude()) {
			include.getConcept().forEach(c -> codes.put(include.getSystem() + "|" + c.getCode(), c.getDisplay()));
		}
		return Collections.unmodifiableMap(codes);
	}

}
