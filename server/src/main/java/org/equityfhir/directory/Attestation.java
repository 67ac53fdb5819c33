package org.equityfhir.directory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.QuestionnaireResponse.QuestionnaireResponseItemComponent;
import org.hl7.fhir.r4.model.StringType;

/**
 * What a clinician attested, read from a QuestionnaireResponse the {@link AttestationForm} has checked,
 * and how it replaces the attested attributes of a Practitioner (and nothing else of it).
 */
record Attestation(
		List<Language> languages,
		List<Competency> competencies,
		Identity race,
		Identity ethnicity,
		Map<String, Boolean> display) {

	static final String PROFICIENCY = DirectoryCategory.PROFICIENCY;
	static final String COMPETENCY = DirectoryCategory.CULTURAL_COMPETENCY;
	static final String DISPLAY_CONSENT = DirectoryCategory.DISPLAY_CONSENT;
	static final String RACE = DirectoryCategory.US_CORE_RACE;
	static final String ETHNICITY = DirectoryCategory.US_CORE_ETHNICITY;
	/** The extensions an attestation owns: all of them are replaced, whatever the previous values. */
	static final Set<String> ATTESTED_EXTENSIONS = Set.of(COMPETENCY, DISPLAY_CONSENT, RACE, ETHNICITY);
	static final String PREFER_NOT_TO_SAY = "ASKU";

	record Language(Coding language, Coding proficiency) {}

	record Competency(Coding competency, List<Coding> evidence) {}

	/** An OMB-based identity (US Core race or ethnicity): categories, detailed codes and the text that names it. */
	record Identity(List<Coding> ombCategories, List<Coding> detailed, String text) {}

	static Attestation read(QuestionnaireResponse response, AttestationForm form) {
		List<Language> languages = new ArrayList<>();
		List<Competency> competencies = new ArrayList<>();
		Identity race = null;
		Identity ethnicity = null;
		Map<String, Boolean> display = new LinkedHashMap<>();
		List<QuestionnaireResponseItemComponent> items = response.getItem();
		for (int i = 0; i < items.size(); i++) {
			QuestionnaireResponseItemComponent group = items.get(i);
			String path = "QuestionnaireResponse.item[" + i + "]";
			switch (group.getLinkId()) {
				case "languages" -> languages.add(new Language(coding(group, "language"), coding(group, "proficiency")));
				case "cultural-competencies" -> competencies.add(new Competency(coding(group, "competency"), codings(group, "evidence")));
				case "race" -> race = identity(group, "race", path, form);
				case "ethnicity" -> ethnicity = identity(group, "ethnicity", path, form);
				case "display" -> group.getItem().forEach(item -> display.put(
						item.getLinkId().substring("display-".length()), item.getAnswerFirstRep().getValueBooleanType().getValue()));
				default -> throw new IllegalStateException("checked form with unknown group " + group.getLinkId());
			}
		}
		return new Attestation(List.copyOf(languages), List.copyOf(competencies), race, ethnicity, Map.copyOf(display));
	}

	/**
	 * "Prefer not to say" (v3-NullFlavor ASKU, as US Core's race and ethnicity extensions allow) is an
	 * answer of its own: it cannot stand beside a category or a detailed code.
	 */
	private static Identity identity(QuestionnaireResponseItemComponent group, String name, String path, AttestationForm form) {
		List<Coding> categories = codings(group, name + "-category");
		List<Coding> detailed = codings(group, name + "-detailed");
		boolean declined = categories.stream().anyMatch(c -> AttestationForm.NULL_FLAVOR.equals(c.getSystem()));
		if (declined && (categories.size() > 1 || !detailed.isEmpty())) {
			throw AttestationForm.refusal(OperationOutcome.IssueType.BUSINESSRULE, path,
					"'" + name + "': 'prefer not to say' (or 'unknown') is the only answer when chosen");
		}
		String text = group.getItem().stream()
				.filter(item -> item.getLinkId().equals(name + "-text"))
				.map(item -> item.getAnswerFirstRep().getValueStringType().getValue())
				.findFirst()
				.orElse(null);
		if (text == null) {
			String valueSet = AttestationForm.VALUE_SETS;
			text = declined && PREFER_NOT_TO_SAY.equals(categories.get(0).getCode())
					? "Prefer not to say"
					: java.util.stream.Stream.concat(
									categories.stream().map(c -> form.display(valueSet + "omb-" + name + "-category", c)),
									detailed.stream().map(c -> form.display(valueSet + "detailed-" + name, c)))
							.collect(Collectors.joining(", "));
		}
		return new Identity(categories, detailed, text);
	}

	private static List<Coding> codings(QuestionnaireResponseItemComponent group, String linkId) {
		return group.getItem().stream()
				.filter(item -> item.getLinkId().equals(linkId))
				.flatMap(item -> item.getAnswer().stream())
				.map(answer -> answer.getValueCoding().copy())
				.toList();
	}

	private static Coding coding(QuestionnaireResponseItemComponent group, String linkId) {
		return codings(group, linkId).get(0);
	}

	/**
	 * Replaces languages, cultural competencies, race, ethnicity and display choices; identifiers, names,
	 * qualifications, telecom and any other extension stay as they are.
	 */
	void applyTo(Practitioner practitioner) {
		practitioner.setCommunication(new ArrayList<>());
		for (Language language : languages) {
			CodeableConcept communication = practitioner.addCommunication();
			communication.addCoding(new Coding(AttestationForm.BCP47, language.language().getCode(), language.language().getDisplay()));
			if (language.language().hasDisplay()) {
				communication.setText(language.language().getDisplay());
			}
			communication.addExtension(PROFICIENCY, new CodeableConcept().addCoding(language.proficiency()));
		}
		practitioner.getExtension().removeIf(e -> ATTESTED_EXTENSIONS.contains(e.getUrl()));
		for (Competency competency : competencies) {
			Extension extension = practitioner.addExtension().setUrl(COMPETENCY);
			extension.addExtension("code", new CodeableConcept().addCoding(competency.competency()));
			competency.evidence().forEach(e -> extension.addExtension("evidence", new CodeableConcept().addCoding(e)));
		}
		practitioner.addExtension(identityExtension(RACE, race));
		practitioner.addExtension(identityExtension(ETHNICITY, ethnicity));
		display.forEach((category, shown) -> {
			Extension consent = practitioner.addExtension().setUrl(DISPLAY_CONSENT);
			consent.addExtension("category", new CodeType(category));
			consent.addExtension("display", new BooleanType(shown));
		});
	}

	private static Extension identityExtension(String url, Identity identity) {
		Extension extension = new Extension(url);
		identity.ombCategories().forEach(c -> extension.addExtension("ombCategory", c.copy()));
		identity.detailed().forEach(c -> extension.addExtension("detailed", c.copy()));
		extension.addExtension("text", new StringType(identity.text()));
		return extension;
	}
}
