package org.equityfhir.security;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Each role's policy, as data: which interactions it may have with which resource types, which
 * operations it may invoke, and how far its view reaches. A token's scopes narrow this further (never
 * widen it). The authorization interceptor builds HAPI rules from it, docs/security.md prints it, and
 * the role matrix tests it; nothing else decides who may do what.
 */
public record AccessPolicy(Map<String, Set<Interaction>> types, List<String> operations, Reach reach) {

	/** How far a role's view of its resource types reaches. */
	public enum Reach {
		/** Every resource of the types it may read; the directory as the public sees it. */
		ALL,
		/** Only what concerns its own organization's referrals (see OrganizationScope). */
		OWN_ORGANIZATION,
		/** As ALL, and its own Practitioner record unmasked. */
		OWN_PRACTITIONER,
		/** As ALL, and the directory unmasked, opt-outs included. */
		UNMASKED_DIRECTORY,
		/** Summary MeasureReports only: reports about populations, never about one patient. */
		AGGREGATES_ONLY
	}

	/** The provider directory's resource types: public to read and search. */
	public static final Set<String> DIRECTORY = Set.of(
			"Practitioner", "PractitionerRole", "Organization", "Location", "HealthcareService", "Endpoint",
			"InsurancePlan", "OrganizationAffiliation");
	/** Our guide's and the national guides' definitions, and terminology. */
	public static final Set<String> CONFORMANCE = Set.of(
			"StructureDefinition", "ValueSet", "CodeSystem", "ConceptMap", "SearchParameter", "OperationDefinition",
			"CapabilityStatement", "ImplementationGuide", "Questionnaire", "NamingSystem", "Measure", "Library");
	/** Types no caller writes through the API: the server writes its audit trail itself. */
	public static final Set<String> SERVER_WRITTEN = Set.of("AuditEvent");

	/** Group names a policy may use in place of a type. */
	public static final String CLINICAL = "(clinical)";
	public static final String DIRECTORY_TYPES = "(directory)";
	public static final String CONFORMANCE_TYPES = "(conformance)";

	/** Operations that answer from terminology or definitions only. */
	private static final List<String> TERMINOLOGY = List.of("$expand", "$validate-code", "$lookup", "$subsumes");

	private static final Map<Role, AccessPolicy> POLICIES = new LinkedHashMap<>();
	/** The caller with no token: the public provider directory. */
	public static final AccessPolicy PUBLIC = new AccessPolicy(
			types(DIRECTORY_TYPES, "rs"), List.of(), Reach.ALL);

	static {
		POLICIES.put(Role.EHR, new AccessPolicy(
				types(CLINICAL, "cruds", DIRECTORY_TYPES, "cruds", CONFORMANCE_TYPES, "rs", "Subscription", "cruds"),
				ops("$extract", "$match", "$validate", "$everything", "$meta", "$status", "$referral-metrics"), Reach.ALL));
		POLICIES.put(Role.COMMUNITY_ORGANIZATION, new AccessPolicy(
				types(DIRECTORY_TYPES, "rs", CONFORMANCE_TYPES, "rs", "ServiceRequest", "rs", "Task", "rus",
						"Patient", "r", "Consent", "r", "Procedure", "c"),
				ops(), Reach.OWN_ORGANIZATION));
		POLICIES.put(Role.MEMBER_SERVICES, new AccessPolicy(
				types(DIRECTORY_TYPES, "rs", CONFORMANCE_TYPES, "rs", "Patient", "rs"),
				ops("$match"), Reach.ALL));
		POLICIES.put(Role.CLINICIAN, new AccessPolicy(
				types(DIRECTORY_TYPES, "rs", CONFORMANCE_TYPES, "rs"),
				ops("$attest"), Reach.OWN_PRACTITIONER));
		POLICIES.put(Role.DIRECTORY_ADMIN, new AccessPolicy(
				types(DIRECTORY_TYPES, "cruds", CONFORMANCE_TYPES, "rs"),
				ops("$attest", "$match", "$validate"), Reach.UNMASKED_DIRECTORY));
		POLICIES.put(Role.EQUITY_ANALYST, new AccessPolicy(
				types(CONFORMANCE_TYPES, "rs", "MeasureReport", "rs"),
				ops("$network-adequacy", "$evaluate-measure"), Reach.AGGREGATES_ONLY));
		POLICIES.put(Role.ADMIN, new AccessPolicy(
				types(DIRECTORY_TYPES, "rs", CONFORMANCE_TYPES, "cruds", "AuditEvent", "rs", "Subscription", "rs", "MeasureReport", "rs"),
				ops("$status", "$referral-metrics", "$network-adequacy", "$evaluate-measure"), Reach.ALL));
	}

	public static AccessPolicy of(Role role) {
		return POLICIES.get(role);
	}

	public static Map<Role, AccessPolicy> all() {
		return java.util.Collections.unmodifiableMap(POLICIES);
	}

	/** The interactions this policy allows on {@code type} (before the token's scopes narrow them). */
	public Set<Interaction> on(String type) {
		Set<Interaction> explicit = types.get(type);
		if (explicit != null) {
			return explicit;
		}
		if (SERVER_WRITTEN.contains(type)) {
			return Set.of();
		}
		String group = DIRECTORY.contains(type) ? DIRECTORY_TYPES
				: CONFORMANCE.contains(type) ? CONFORMANCE_TYPES
				: type.equals("Subscription") ? null : CLINICAL;
		return group == null ? Set.of() : types.getOrDefault(group, Set.of());
	}

	/** Every operation a policy allows, and the terminology operations everyone signed in has. */
	public List<String> allOperations() {
		List<String> all = new java.util.ArrayList<>(operations);
		if (this != PUBLIC) {
			all.addAll(TERMINOLOGY);
		}
		return all;
	}

	/** The policies as a Markdown table, for docs/security.md (SecurityDocsTest keeps the two equal). */
	public static String markdownTable() {
		StringBuilder md = new StringBuilder("| role | interactions (SMART c r u d s) | operations | reach |\n| --- | --- | --- | --- |\n");
		Map<String, AccessPolicy> rows = new LinkedHashMap<>();
		POLICIES.forEach((role, policy) -> rows.put("`" + role.code() + "`", policy));
		rows.put("no token", PUBLIC);
		rows.forEach((name, policy) -> md.append("| ").append(name).append(" | ")
				.append(String.join("; ", policy.types().entrySet().stream()
						.map(e -> e.getKey() + " " + Interaction.letters(e.getValue())).toList()))
				.append(" | ").append(policy.operations().isEmpty() ? "none" : String.join(", ", policy.operations()))
				.append(" | ").append(switch (policy.reach()) {
					case ALL -> policy == PUBLIC ? "the directory as the public sees it" : "all it may read; the directory as the public sees it";
					case OWN_ORGANIZATION -> "its own organization's referrals only (OrganizationScope); Patients: name, contact, language";
					case OWN_PRACTITIONER -> "its own Practitioner unmasked, the rest as the public sees it";
					case UNMASKED_DIRECTORY -> "the full directory, opt-outs included";
					case AGGREGATES_ONLY -> "summary reports only, small cells suppressed; no patient-level output";
				}).append(" |\n"));
		md.append("\nGroups: (clinical) is every type not in another group; (directory) is ")
				.append(String.join(", ", DIRECTORY.stream().sorted().toList())).append("; (conformance) is ")
				.append(String.join(", ", CONFORMANCE.stream().sorted().toList())).append(". ")
				.append(String.join(", ", SERVER_WRITTEN)).append(" is written by the server only. Everyone signed in also has ")
				.append(String.join(", ", TERMINOLOGY)).append(".\n");
		return md.toString();
	}

	private static Map<String, Set<Interaction>> types(String... pairs) {
		Map<String, Set<Interaction>> map = new LinkedHashMap<>();
		for (int i = 0; i < pairs.length; i += 2) {
			Set<Interaction> set = Interaction.parse(pairs[i + 1]);
			if (set == null) {
				throw new IllegalArgumentException("'" + pairs[i + 1] + "' is not SMART interaction letters in c r u d s order");
			}
			map.put(pairs[i], set);
		}
		return map;
	}

	private static List<String> ops(String... names) {
		return List.of(names);
	}
}
