package org.equityfhir.guide;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.StringType;

/**
 * The official extensions the directory relies on, checked by the rules their publishers define, for
 * servers that do not have the publishers' packages: US Core 7.0.0 race and ethnicity, Plan-Net 1.1.0
 * communication-proficiency, and SDOH Clinical Care 3.0's HealthcareService capacity status (its structure
 * only: its code binding is extensible). Our guide does not carry altered copies of HL7 definitions under HL7's URLs.
 * The check runs whether or not the official package is installed (equity.ig.extra-packages): with it, the
 * official definition validates the structure too, but its CDC value sets cannot be expanded offline, so
 * the OMB category codes would otherwise go unchecked.
 *
 * <p>Detailed CDC race and ethnicity codes are checked for their code system only: the full CDC list is
 * not available offline, and US Core accepts every code in it.
 */
final class OfficialExtensions {

	static final String US_CORE_RACE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";
	static final String US_CORE_ETHNICITY = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity";
	static final String PROFICIENCY =
			"http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/communication-proficiency";
	static final String CAPACITY_STATUS =
			"http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ExtensionHealthcareServiceCapacityStatus";
	static final String CDC_RACE_ETHNICITY = "urn:oid:2.16.840.1.113883.6.238";
	private static final String NULL_FLAVOR = "http://terminology.hl7.org/CodeSystem/v3-NullFlavor";

	private final Set<String> ombRace;
	private final Set<String> ombEthnicity;
	private final Set<String> proficiency;

	OfficialExtensions(FhirContext fhirContext, GuidePackage terminology) {
		this.ombRace = terminology.valueSetCodes(fhirContext, "ValueSet-omb-race-category.json");
		this.ombEthnicity = terminology.valueSetCodes(fhirContext, "ValueSet-omb-ethnicity-category.json");
		this.proficiency = terminology.valueSetCodes(fhirContext, "ValueSet-language-proficiency.json");
	}

	List<SingleValidationMessage> check(IBaseResource resource) {
		List<SingleValidationMessage> errors = new ArrayList<>();
		if (!(resource instanceof DomainResource domain)) {
			return errors;
		}
		String type = domain.fhirType();
		checkOmb(domain, type, US_CORE_RACE, ombRace, 6, "race", errors);
		checkOmb(domain, type, US_CORE_ETHNICITY, ombEthnicity, 1, "ethnicity", errors);
		if (domain instanceof Practitioner practitioner) {
			for (int i = 0; i < practitioner.getCommunication().size(); i++) {
				List<Extension> extensions = practitioner.getCommunication().get(i).getExtension();
				for (int j = 0; j < extensions.size(); j++) {
					if (PROFICIENCY.equals(extensions.get(j).getUrl())) {
						checkProficiency(extensions.get(j), type + ".communication[" + i + "].extension[" + j + "]", errors);
					}
				}
			}
		}
		if (domain instanceof HealthcareService service) {
			for (int i = 0; i < service.getExtension().size(); i++) {
				if (CAPACITY_STATUS.equals(service.getExtension().get(i).getUrl())) {
					checkCapacityStatus(service.getExtension().get(i), type + ".extension[" + i + "]", errors);
				}
			}
		}
		return errors;
	}

	/** Gravity's definition: one capacityStatus (a CodeableConcept), at most one capacityNotes (a string). */
	private static void checkCapacityStatus(Extension extension, String at, List<SingleValidationMessage> errors) {
		if (extension.hasValue()) {
			errors.add(error(at + ".value", "The SDOHCC capacity-status extension has sub-extensions, not a value"));
		}
		int statuses = 0;
		int notes = 0;
		List<Extension> parts = extension.getExtension();
		for (int j = 0; j < parts.size(); j++) {
			Extension part = parts.get(j);
			String partAt = at + ".extension[" + j + "]";
			if ("capacityStatus".equals(part.getUrl())) {
				statuses++;
				if (!(part.getValue() instanceof CodeableConcept)) {
					errors.add(error(partAt + ".value", "capacityStatus has a valueCodeableConcept (e.g. SDOHCC-CodeSystemTemporaryCodes#capacity)"));
				}
			} else if ("capacityNotes".equals(part.getUrl())) {
				notes++;
				if (!(part.getValue() instanceof StringType text) || text.isEmpty()) {
					errors.add(error(partAt + ".value", "capacityNotes has a non-empty valueString"));
				}
			}
		}
		if (statuses != 1) {
			errors.add(error(at, "The SDOHCC capacity-status extension needs exactly one 'capacityStatus' sub-extension (found "
					+ statuses + ")"));
		}
		if (notes > 1) {
			errors.add(error(at, "The SDOHCC capacity-status extension allows at most one 'capacityNotes'"));
		}
	}

	private void checkOmb(DomainResource resource, String type, String url, Set<String> omb, int maxOmb, String what,
			List<SingleValidationMessage> errors) {
		List<Extension> extensions = resource.getExtension();
		int found = 0;
		for (int i = 0; i < extensions.size(); i++) {
			Extension extension = extensions.get(i);
			if (!url.equals(extension.getUrl())) {
				continue;
			}
			String at = type + ".extension[" + i + "]";
			if (++found > 1) {
				errors.add(error(at, "At most one US Core " + what + " extension is allowed (" + url + ")"));
			}
			if (extension.hasValue()) {
				errors.add(error(at + ".value", "The US Core " + what + " extension has sub-extensions, not a value"));
			}
			int ombCount = 0;
			int texts = 0;
			boolean nullFlavor = false;
			List<Extension> parts = extension.getExtension();
			for (int j = 0; j < parts.size(); j++) {
				Extension part = parts.get(j);
				String partAt = at + ".extension[" + j + "]";
				switch (part.getUrl() == null ? "" : part.getUrl()) {
					case "ombCategory" -> {
						ombCount++;
						Coding coding = coding(part, partAt, errors);
						if (coding != null && !omb.contains(coding.getSystem() + "|" + coding.getCode())) {
							errors.add(error(partAt + ".value", "'" + coding.getSystem() + "#" + coding.getCode()
									+ "' is not an OMB " + what + " category (US Core " + what + " ombCategory, required)"));
						}
						nullFlavor |= coding != null && NULL_FLAVOR.equals(coding.getSystem());
					}
					case "detailed" -> {
						Coding coding = coding(part, partAt, errors);
						if (coding != null && !CDC_RACE_ETHNICITY.equals(coding.getSystem())) {
							errors.add(error(partAt + ".value", "A detailed " + what + " code must come from the CDC Race"
									+ " & Ethnicity code system (" + CDC_RACE_ETHNICITY + ")"));
						}
					}
					case "text" -> {
						texts++;
						if (!(part.getValue() instanceof StringType text) || text.isEmpty()) {
							errors.add(error(partAt + ".value", "The " + what + " text is a non-empty string"));
						}
					}
					default -> {
						// US Core's slicing is open: other sub-extensions are allowed.
					}
				}
			}
			if (texts != 1) {
				errors.add(error(at, "The US Core " + what + " extension needs exactly one 'text' sub-extension (found "
						+ texts + ")"));
			}
			if (ombCount > maxOmb) {
				errors.add(error(at, "The US Core " + what + " extension allows at most " + maxOmb + " ombCategory"));
			}
			if (nullFlavor && ombCount > 1) {
				errors.add(error(at, "us-core-23: with 'ASKU' or 'UNK', no other OMB " + what + " category may be present"));
			}
		}
	}

	private void checkProficiency(Extension extension, String at, List<SingleValidationMessage> errors) {
		if (!(extension.getValue() instanceof CodeableConcept concept)) {
			errors.add(error(at + ".value", "Plan-Net communication-proficiency has a valueCodeableConcept"));
			return;
		}
		boolean known = concept.getCoding().stream().anyMatch(c -> proficiency.contains(c.getSystem() + "|" + c.getCode()));
		if (!known) {
			errors.add(error(at + ".value", "The proficiency is not a Plan-Net LanguageProficiencyCS code (00, 10, 20,"
					+ " 30, 40, 50); Plan-Net binds it as required"));
		}
		if (extension.hasExtension()) {
			errors.add(error(at, "Plan-Net communication-proficiency has no sub-extensions"));
		}
	}

	private static Coding coding(Extension part, String at, List<SingleValidationMessage> errors) {
		if (part.getValue() instanceof Coding coding && coding.hasSystem() && coding.hasCode()) {
			return coding;
		}
		errors.add(error(at + ".value", "Expected a valueCoding with a system and a code"));
		return null;
	}

	private static SingleValidationMessage error(String location, String message) {
		SingleValidationMessage m = new SingleValidationMessage();
		m.setSeverity(ResultSeverityEnum.ERROR);
		m.setLocationString(location);
		m.setMessage(message);
		return m;
	}
}
