package org.equityfhir.guide;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Goal;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;

/**
 * Which of our profiles a resource must meet: the one table that enforcement, /metadata and docs/ig.md
 * all read. A resource gets a profile by its type and by the role it declares (its category, type or
 * code), never by meta.profile, so a client cannot opt out; and a role-specific profile applies only when
 * the resource says it plays that role (a cancer clinic is not a food shelf).
 */
public class ProfileSelector {

	public static final String CANONICAL_BASE = "http://equityfhir.org/fhir/";
	public static final String BASE = CANONICAL_BASE + "StructureDefinition/";
	public static final String PRACTITIONER = BASE + "equity-practitioner";
	public static final String PRACTITIONER_ROLE = BASE + "equity-practitioner-role";
	public static final String ORGANIZATION = BASE + "equity-organization";
	public static final String COMMUNITY_ORGANIZATION = BASE + "community-organization";
	public static final String HEALTHCARE_SERVICE = BASE + "equity-healthcare-service";
	public static final String COMMUNITY_SERVICE = BASE + "community-service";
	public static final String LOCATION = BASE + "equity-location";
	public static final String SCREENING_RESPONSE = BASE + "sdoh-screening-response";
	public static final String ASSESSMENT = BASE + "sdoh-assessment";
	public static final String CONDITION = BASE + "sdoh-condition";
	public static final String GOAL = BASE + "sdoh-goal";
	public static final String INTERVENTION = BASE + "sdoh-intervention";
	public static final String REFERRAL = BASE + "community-referral";
	public static final String REFERRAL_TASK = BASE + "referral-task";
	public static final String CONSENT = BASE + "referral-consent";
	public static final String PATIENT = BASE + "equity-patient";

	static final String US_CORE_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category";
	static final String OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category";
	static final String ORGANIZATION_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type";
	static final String ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
	static final String TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code";
	static final String GRAVITY_CODES = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes";
	static final String ICD_10_CM = "http://hl7.org/fhir/sid/icd-10-cm";

	/**
	 * One line of the table: resources of {@code type} for which {@code applies} holds must meet
	 * {@code profile}; {@code when} says the same in words, for /metadata and docs/ig.md. Within a type,
	 * the first rule that applies wins.
	 */
	public record Rule(String type, String profile, String when, Predicate<IBaseResource> applies) {}

	private final Set<String> sdohDomains;
	private final Set<String> referralCodes;
	private final Set<String> communityServiceTypes;
	private final List<Rule> rules;

	public ProfileSelector(FhirContext fhirContext, GuidePackage terminology) {
		this.sdohDomains = terminology.valueSetCodes(fhirContext, "ValueSet-sdoh-category.json");
		this.referralCodes = terminology.valueSetCodes(fhirContext, "ValueSet-sdoh-referral-codes.json");
		this.communityServiceTypes = terminology.valueSetCodes(fhirContext, "ValueSet-community-service-type.json");
		this.rules = List.copyOf(table());
	}

	private List<Rule> table() {
		String sdoh = "an SDOH category (US Core `sdoh` or a Gravity SDOH domain such as `food-insecurity`)";
		List<Rule> t = new ArrayList<>();
		t.add(always("Practitioner", PRACTITIONER));
		t.add(always("PractitionerRole", PRACTITIONER_ROLE));
		t.add(always("Location", LOCATION));
		t.add(new Rule("Organization", COMMUNITY_ORGANIZATION,
				"when its type says it is a community-based organization (organization-type `cg`, Community Group)",
				r -> has(((Organization) r).getType(), ORGANIZATION_TYPE, "cg")));
		t.add(otherwise("Organization", ORGANIZATION));
		t.add(new Rule("HealthcareService", COMMUNITY_SERVICE,
				"when it carries " + sdoh + " or a type from `community-service-type`",
				r -> isSdoh(((HealthcareService) r).getCategory())
						|| in(communityServiceTypes, ((HealthcareService) r).getType())));
		t.add(otherwise("HealthcareService", HEALTHCARE_SERVICE));
		t.add(new Rule("Observation", SCREENING_RESPONSE,
				"when it carries the `survey` category and " + sdoh,
				r -> isSdoh(((Observation) r).getCategory()) && isSurvey((Observation) r)));
		t.add(new Rule("Observation", ASSESSMENT,
				"when it carries " + sdoh + " without `survey`; other Observations (vital signs, surveys without an"
						+ " SDOH category, Gravity personal characteristics) are not profiled",
				r -> isSdoh(((Observation) r).getCategory())));
		t.add(new Rule("Condition", CONDITION, "when it carries " + sdoh,
				r -> isSdoh(((Condition) r).getCategory())));
		t.add(new Rule("Goal", GOAL, "when it carries " + sdoh, r -> isSdoh(((Goal) r).getCategory())));
		t.add(new Rule("Procedure", INTERVENTION, "when it carries " + sdoh,
				r -> isSdoh(List.of(((Procedure) r).getCategory()))));
		t.add(new Rule("ServiceRequest", REFERRAL, "when it carries " + sdoh + " or a code from `sdoh-referral-codes`",
				r -> isSdoh(((ServiceRequest) r).getCategory()) || in(referralCodes, ((ServiceRequest) r).getCode())));
		t.add(new Rule("Task", REFERRAL_TASK, "when its code is task-code `fulfill` (Gravity's referral management)",
				r -> has(List.of(((Task) r).getCode()), TASK_CODE, "fulfill")));
		t.add(new Rule("Consent", CONSENT, "when its category is v3-ActCode `IDSCL` (information disclosure, Gravity)",
				r -> has(((Consent) r).getCategory(), ACT_CODE, "IDSCL")));
		t.add(new Rule("Patient", PATIENT, "only when it declares the profile in `meta.profile`; Patients come from"
						+ " every EHR and are otherwise held to FHIR R4 alone",
				r -> r.getMeta().getProfile().stream().anyMatch(p -> PATIENT.equals(p.getValue()))));
		return t;
	}

	private static Rule always(String type, String profile) {
		return new Rule(type, profile, "always", r -> true);
	}

	private static Rule otherwise(String type, String profile) {
		return new Rule(type, profile, "otherwise", r -> true);
	}

	/** The whole table, in order. */
	public List<Rule> rules() {
		return rules;
	}

	/** Every profile each resource type may be checked against, for the CapabilityStatement. */
	public Map<String, List<Rule>> rulesByType() {
		Map<String, List<Rule>> byType = new LinkedHashMap<>();
		rules.forEach(rule -> byType.computeIfAbsent(rule.type(), t -> new ArrayList<>()).add(rule));
		return byType;
	}

	/** The profile this resource must meet, or none. */
	public List<String> profilesFor(IBaseResource resource) {
		String type = resource.fhirType();
		return rules.stream()
				.filter(rule -> rule.type().equals(type) && rule.applies().test(resource))
				.findFirst()
				.map(rule -> List.of(rule.profile()))
				.orElse(List.of());
	}

	private static boolean isSurvey(Observation o) {
		return has(o.getCategory(), OBSERVATION_CATEGORY, "survey");
	}

	/**
	 * US Core's sdoh category, or one of Gravity's SDOH domains (which imply it). Not every code of Gravity's
	 * code system is a domain: personal-characteristic, for one, is not.
	 */
	private boolean isSdoh(List<CodeableConcept> categories) {
		return has(categories, US_CORE_CATEGORY, "sdoh") || categories.stream().anyMatch(c -> in(sdohDomains, c));
	}

	private static boolean has(List<CodeableConcept> concepts, String system, String code) {
		return concepts.stream().flatMap(c -> c.getCoding().stream())
				.anyMatch(c -> system.equals(c.getSystem()) && code.equals(c.getCode()));
	}

	private static boolean in(Set<String> codes, List<CodeableConcept> concepts) {
		return concepts.stream().anyMatch(c -> in(codes, c));
	}

	private static boolean in(Set<String> codes, CodeableConcept concept) {
		return concept.getCoding().stream()
				.anyMatch(c -> codes.contains(key(c)) || codes.contains(c.getSystem() + "|*"));
	}

	private static String key(Coding coding) {
		return coding.getSystem() + "|" + coding.getCode();
	}
}
