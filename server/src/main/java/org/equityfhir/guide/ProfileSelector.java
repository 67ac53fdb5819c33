package org.equityfhir.guide;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Goal;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.ValueSet;
import org.hl7.fhir.utilities.npm.NpmPackage;

/**
 * Which of our profiles a resource must meet, decided by its type and, where one type has several
 * profiles or is also used outside our guide, by its category and code. Enforcement does not depend on
 * meta.profile: a client cannot opt out of the guide by leaving it off.
 *
 * <ul>
 *   <li>Practitioner, PractitionerRole, Organization, HealthcareService, Location, Consent: always.
 *   <li>"Carries sdoh" means US Core's sdoh category or any Gravity SDOH domain category.
 *   <li>Observation: screening response when its code is one of our SDOH screening questions or it
 *       carries both the survey and sdoh categories; otherwise SDOH assessment when it carries sdoh.
 *   <li>Condition: SDOH condition when it carries sdoh or an ICD-10-CM Z55–Z65 code.
 *   <li>Goal, Procedure: SDOH goal / intervention when they carry sdoh.
 *   <li>ServiceRequest: community referral when it carries sdoh or one of our referral codes.
 *   <li>Task: referral task unless its code says it is another kind of task.
 * </ul>
 */
public class ProfileSelector {

	public static final String BASE = "http://equityfhir.org/fhir/StructureDefinition/";
	public static final String PRACTITIONER = BASE + "equity-practitioner";
	public static final String PRACTITIONER_ROLE = BASE + "equity-practitioner-role";
	public static final String ORGANIZATION = BASE + "community-organization";
	public static final String HEALTHCARE_SERVICE = BASE + "community-service";
	public static final String LOCATION = BASE + "equity-location";
	public static final String SCREENING_RESPONSE = BASE + "sdoh-screening-response";
	public static final String ASSESSMENT = BASE + "sdoh-assessment";
	public static final String CONDITION = BASE + "sdoh-condition";
	public static final String GOAL = BASE + "sdoh-goal";
	public static final String INTERVENTION = BASE + "sdoh-intervention";
	public static final String REFERRAL = BASE + "community-referral";
	public static final String REFERRAL_TASK = BASE + "referral-task";
	public static final String CONSENT = BASE + "referral-consent";

	private static final Map<String, String> ALWAYS = Map.of(
			"Practitioner", PRACTITIONER,
			"PractitionerRole", PRACTITIONER_ROLE,
			"Organization", ORGANIZATION,
			"HealthcareService", HEALTHCARE_SERVICE,
			"Location", LOCATION,
			"Consent", CONSENT);
	private static final Map<String, String> SDOH_PROFILES = Map.of(
			"Condition", CONDITION,
			"Goal", GOAL,
			"Procedure", INTERVENTION,
			"ServiceRequest", REFERRAL,
			"Task", REFERRAL_TASK);

	static final String US_CORE_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category";
	static final String OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category";
	static final String TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code";
	static final String GRAVITY_DOMAINS = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes";
	static final String ICD_10_CM = "http://hl7.org/fhir/sid/icd-10-cm";

	private final Set<String> screeningQuestions;
	private final Set<String> referralCodes;

	public ProfileSelector(FhirContext fhirContext, GuidePackage terminology) {
		NpmPackage npm = terminology.npm();
		this.screeningQuestions = enumeratedCodes(fhirContext, npm, "ValueSet-sdoh-screening-questions.json");
		this.referralCodes = enumeratedCodes(fhirContext, npm, "ValueSet-sdoh-referral-codes.json");
	}

	/** Every profile each resource type may be checked against, for the CapabilityStatement. */
	public static Map<String, List<String>> profilesByType() {
		Map<String, List<String>> byType = new java.util.TreeMap<>();
		ALWAYS.forEach((type, profile) -> byType.put(type, List.of(profile)));
		SDOH_PROFILES.forEach((type, profile) -> byType.put(type, List.of(profile)));
		byType.put("Observation", List.of(SCREENING_RESPONSE, ASSESSMENT));
		return byType;
	}

	public List<String> profilesFor(IBaseResource resource) {
		String always = ALWAYS.get(resource.fhirType());
		if (always != null) {
			return List.of(always);
		}
		boolean sdohProfiled;
		if (resource instanceof Observation o) {
			return observation(o);
		} else if (resource instanceof Condition c) {
			sdohProfiled = isSdoh(c.getCategory()) || hasSdohZCode(c.getCode());
		} else if (resource instanceof Goal g) {
			sdohProfiled = isSdoh(g.getCategory());
		} else if (resource instanceof Procedure p) {
			sdohProfiled = isSdoh(List.of(p.getCategory()));
		} else if (resource instanceof ServiceRequest s) {
			sdohProfiled = isSdoh(s.getCategory()) || in(referralCodes, s.getCode());
		} else if (resource instanceof Task t) {
			sdohProfiled = isReferralTask(t);
		} else {
			return List.of();
		}
		return sdohProfiled ? List.of(SDOH_PROFILES.get(resource.fhirType())) : List.of();
	}

	private List<String> observation(Observation o) {
		boolean sdoh = isSdoh(o.getCategory());
		boolean survey = has(o.getCategory(), OBSERVATION_CATEGORY, "survey");
		if (in(screeningQuestions, o.getCode()) || (sdoh && survey)) {
			return List.of(SCREENING_RESPONSE);
		}
		return sdoh ? List.of(ASSESSMENT) : List.of();
	}

	private static boolean isReferralTask(Task t) {
		return !t.hasCode() || has(List.of(t.getCode()), TASK_CODE, "fulfill");
	}

	/** US Core's sdoh category, or a Gravity SDOH domain (food-insecurity, ...), which implies it. */
	private static boolean isSdoh(List<CodeableConcept> categories) {
		return has(categories, US_CORE_CATEGORY, "sdoh")
				|| categories.stream().flatMap(c -> c.getCoding().stream()).anyMatch(c -> GRAVITY_DOMAINS.equals(c.getSystem()));
	}

	private static boolean has(List<CodeableConcept> concepts, String system, String code) {
		return concepts.stream().flatMap(c -> c.getCoding().stream())
				.anyMatch(c -> system.equals(c.getSystem()) && code.equals(c.getCode()));
	}

	private static boolean in(Set<String> codes, CodeableConcept concept) {
		return concept.getCoding().stream().anyMatch(c -> codes.contains(key(c)));
	}

	/** ICD-10-CM chapter Z55–Z65: "persons with potential health hazards related to socioeconomic circumstances". */
	private static boolean hasSdohZCode(CodeableConcept code) {
		return code.getCoding().stream()
				.filter(c -> ICD_10_CM.equals(c.getSystem()) && c.getCode() != null)
				.map(c -> c.getCode().toUpperCase())
				.anyMatch(c -> c.matches("Z(5[5-9]|6[0-5]).*"));
	}

	private static String key(Coding coding) {
		return coding.getSystem() + "|" + coding.getCode();
	}

	private static Set<String> enumeratedCodes(FhirContext fhirContext, NpmPackage npm, String file) {
		try (InputStream in = npm.load("package", file)) {
			ValueSet vs = fhirContext.newJsonParser().parseResource(ValueSet.class, in);
			Set<String> codes = new HashSet<>();
			vs.getCompose().getInclude().forEach(include -> include.getConcept()
					.forEach(concept -> codes.add(include.getSystem() + "|" + concept.getCode())));
			return Set.copyOf(codes);
		} catch (IOException e) {
			throw new UncheckedIOException("Cannot read " + file + " from " + npm.name(), e);
		}
	}
}
