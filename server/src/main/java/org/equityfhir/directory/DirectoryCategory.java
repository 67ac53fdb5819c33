package org.equityfhir.directory;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Practitioner;

/**
 * The three categories of directory attributes a clinician may choose not to display, the data each one
 * covers on a Practitioner, and how the choice is read. Absent means displayed (issue 13).
 */
public enum DirectoryCategory {
	/** Practitioner.communication, with Plan-Net proficiency. */
	LANGUAGES("languages", List.of()),
	CULTURAL_COMPETENCIES("cultural-competencies", List.of(DirectoryCategory.CULTURAL_COMPETENCY)),
	RACE_ETHNICITY("race-ethnicity", List.of(DirectoryCategory.US_CORE_RACE, DirectoryCategory.US_CORE_ETHNICITY));

	public static final String DISPLAY_CONSENT = "http://equityfhir.org/fhir/StructureDefinition/directory-display-consent";
	public static final String CULTURAL_COMPETENCY = "http://equityfhir.org/fhir/StructureDefinition/cultural-competency";
	public static final String US_CORE_RACE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";
	public static final String US_CORE_ETHNICITY = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity";
	/** Plan-Net's proficiency, on each Practitioner.communication: part of the languages category. */
	public static final String PROFICIENCY =
			"http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/communication-proficiency";

	private final String code;
	private final List<String> extensionUrls;

	DirectoryCategory(String code, List<String> extensionUrls) {
		this.code = code;
		this.extensionUrls = extensionUrls;
	}

	public String code() {
		return code;
	}

	/** The categories this clinician chose not to display, read from the stored resource on every call. */
	public static Set<DirectoryCategory> hiddenOn(Practitioner practitioner) {
		Set<DirectoryCategory> hidden = EnumSet.noneOf(DirectoryCategory.class);
		for (Extension consent : practitioner.getExtensionsByUrl(DISPLAY_CONSENT)) {
			Extension category = consent.getExtensionByUrl("category");
			Extension display = consent.getExtensionByUrl("display");
			if (category == null || display == null || !(display.getValue() instanceof BooleanType shown)) {
				continue;
			}
			if (Boolean.FALSE.equals(shown.getValue())) {
				for (DirectoryCategory c : values()) {
					if (c.code.equals(category.getValue().primitiveValue())) {
						hidden.add(c);
					}
				}
			}
		}
		return hidden;
	}

	boolean hasData(Practitioner practitioner) {
		if (this == LANGUAGES) {
			return practitioner.hasCommunication();
		}
		return practitioner.getExtension().stream().anyMatch(e -> extensionUrls.contains(e.getUrl()));
	}

	void remove(Practitioner practitioner) {
		if (this == LANGUAGES) {
			practitioner.getCommunication().clear();
		} else {
			practitioner.getExtension().removeIf(e -> extensionUrls.contains(e.getUrl()));
		}
	}

	/** Copies this category's data from one version of a Practitioner into another that has none. */
	void copy(Practitioner from, Practitioner to) {
		if (this == LANGUAGES) {
			from.getCommunication().forEach(c -> to.addCommunication(c.copy()));
		} else {
			from.getExtension().stream()
					.filter(e -> extensionUrls.contains(e.getUrl()))
					.forEach(e -> to.addExtension(e.copy()));
		}
	}
}
