package org.equityfhir.insights;

import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Patient;

/**
 * A member (Patient) as the equity reports see them: the strata they fall in, where they live, and
 * whether they need an interpreter. Read from US Core's elements and extensions.
 */
record Member(String id, String language, String race, List<String> races, String ethnicity, LocalDate birthDate,
		Address home, boolean interpreterNeeded) {

	static final String BCP47 = "urn:ietf:bcp:47";
	static final String OMB = "urn:oid:2.16.840.1.113883.6.238";
	static final String US_CORE_RACE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";
	static final String US_CORE_ETHNICITY = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity";
	static final String INTERPRETER_REQUIRED = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired";
	static final String INTERPRETER_NEEDED = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-interpreter-needed";
	static final String UNKNOWN = "unknown";
	static final String MULTIPLE = "multiple";

	/** OMB category displays (CDC Race and Ethnicity code system). */
	static final Map<String, String> OMB_DISPLAY = Map.of(
			"1002-5", "American Indian or Alaska Native", "2028-9", "Asian", "2054-5", "Black or African American",
			"2076-8", "Native Hawaiian or Other Pacific Islander", "2106-3", "White",
			"2135-2", "Hispanic or Latino", "2186-5", "Not Hispanic or Latino", "UNK", "Unknown", "ASKU", "Asked but no answer");

	static Member of(Patient patient) {
		List<String> races = omb(patient, US_CORE_RACE);
		List<String> ethnicities = omb(patient, US_CORE_ETHNICITY);
		Address home = patient.getAddress().stream().filter(a -> a.getUse() == Address.AddressUse.HOME).findFirst()
				.orElse(patient.getAddress().stream().filter(a -> a.getUse() != Address.AddressUse.OLD).findFirst().orElse(null));
		LocalDate birth = patient.hasBirthDate() ? patient.getBirthDate().toInstant().atZone(ZoneOffset.UTC).toLocalDate() : null;
		return new Member(patient.getIdElement().toUnqualifiedVersionless().getValue(), language(patient),
				races.isEmpty() ? UNKNOWN : races.size() > 1 ? MULTIPLE : races.get(0), races,
				ethnicities.isEmpty() ? UNKNOWN : ethnicities.get(0), birth, home, interpreter(patient.getExtension()));
	}

	static String language(Patient patient) {
		Optional<Patient.PatientCommunicationComponent> preferred = patient.getCommunication().stream()
				.filter(Patient.PatientCommunicationComponent::getPreferred).findFirst()
				.or(() -> patient.getCommunication().stream().findFirst());
		return preferred.flatMap(c -> c.getLanguage().getCoding().stream().filter(Coding::hasCode).findFirst())
				.map(c -> c.getCode().toLowerCase(Locale.ROOT)).orElse(UNKNOWN);
	}

	static boolean interpreter(List<Extension> extensions) {
		return extensions.stream().filter(e -> INTERPRETER_REQUIRED.equals(e.getUrl()) || INTERPRETER_NEEDED.equals(e.getUrl()))
				.anyMatch(e -> e.getValue() instanceof BooleanType b && Boolean.TRUE.equals(b.getValue())
						|| e.getValue() instanceof Coding c && "Y".equals(c.getCode())
						|| e.getValue() instanceof CodeableConcept cc && cc.getCoding().stream().anyMatch(c -> "Y".equals(c.getCode())));
	}

	private static List<String> omb(Patient patient, String url) {
		Extension extension = patient.getExtensionByUrl(url);
		if (extension == null) {
			return List.of();
		}
		return extension.getExtensionsByUrl("ombCategory").stream().filter(e -> e.getValue() instanceof Coding)
				.map(e -> ((Coding) e.getValue()).getCode()).distinct().toList();
	}

	/** Age band at {@code on}: 0-17, 18-44, 45-64, 65+, or unknown. */
	String ageBand(LocalDate on) {
		if (birthDate == null) {
			return UNKNOWN;
		}
		int age = Period.between(birthDate, on).getYears();
		return age < 18 ? "0-17" : age < 45 ? "18-44" : age < 65 ? "45-64" : "65+";
	}

	/** This member's stratum of a stratifier, as the quality measures stratify. */
	String stratum(String stratifier, LocalDate periodEnd, Places places, boolean byZip) {
		return switch (stratifier) {
			case "language" -> language;
			case "race" -> race;
			case "ethnicity" -> ethnicity;
			case "age-band" -> ageBand(periodEnd);
			case "area" -> places.area(home, byZip);
			default -> throw new IllegalArgumentException(stratifier);
		};
	}
}
