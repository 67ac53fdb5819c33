package org.equityfhir.security;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleBuilderRuleOpClassifierFinished;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRuleTester;
import ca.uhn.fhir.rest.server.interceptor.auth.PolicyEnum;
import ca.uhn.fhir.rest.server.interceptor.auth.RuleBuilder;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.equityfhir.api.InterceptorOrder;
import org.equityfhir.directory.DirectoryMasking;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Task;

/**
 * Who may do what, on HAPI's AuthorizationInterceptor: the rules for a request are built from the
 * caller's role policy ({@link AccessPolicy}) narrowed by its token's scopes, and everything else is
 * denied. A community organization's rules carry a tester that admits only what concerns its own
 * referrals ({@link OrganizationScope}); HAPI applies the rules to every resource a request reads or
 * returns (includes, history, transaction entries, operation responses), so nothing reaches it by
 * another path. Its searches are also narrowed to its own referrals, so totals count only what it may
 * see. A refusal is 401 without a token and 403 with one, and is audited.
 */
@Interceptor(order = InterceptorOrder.AUTHORIZATION)
class PolicyAuthorization extends AuthorizationInterceptor {

	static final String CALLER = PolicyAuthorization.class.getName() + ".caller";
	/** Set on a $attest request; its transaction's entries (sub-requests sharing this data) carry it too. */
	static final String ATTESTING = PolicyAuthorization.class.getName() + ".attesting";

	/** A community organization may take only the performer's steps of the referral workflow. */
	static final Set<Task.TaskStatus> PERFORMER_STEPS = EnumSet.of(Task.TaskStatus.ACCEPTED, Task.TaskStatus.REJECTED,
			Task.TaskStatus.INPROGRESS, Task.TaskStatus.ONHOLD, Task.TaskStatus.COMPLETED, Task.TaskStatus.FAILED);
	/** Types a community organization's rules are narrowed on. */
	static final Set<String> ORGANIZATION_SCOPED = Set.of("ServiceRequest", "Task", "Patient", "Consent", "Procedure");
	/** Operations whose answer is checked against the caller's read rules (they return stored resources). */
	static final Set<String> EXPLICIT_RESPONSES = Set.of("$everything", "$match", "$attest");

	private final FhirContext fhirContext;
	private final DaoRegistry daos;
	private final AuditTrail audit;

	PolicyAuthorization(FhirContext fhirContext, DaoRegistry daos, AuditTrail audit) {
		super(PolicyEnum.DENY);
		this.fhirContext = fhirContext;
		this.daos = daos;
		this.audit = audit;
	}

	static Caller callerOf(RequestDetails request) {
		Object caller = request == null ? null : request.getUserData().get(CALLER);
		return caller instanceof Caller c ? c : Caller.current();
	}

	@Override
	public List<IAuthRule> buildRuleList(RequestDetails request) {
		Caller caller = callerOf(request);
		request.getUserData().put(CALLER, caller);
		AccessPolicy policy = caller.policy();
		if (policy == null) {
			return new RuleBuilder().denyAll("no role this server knows").build();
		}
		seeUnmaskedWhereAllowed(request, caller, policy);
		if (rulesByCaller.size() > 10_000) {
			rulesByCaller.clear();
		}
		return rulesByCaller.computeIfAbsent(caller, this::rulesFor);
	}

	/**
	 * The rules depend only on the caller's claims and the policies (which are code), so they are built
	 * once per distinct caller: no invalidation is needed, and a new token with other claims is another key.
	 */
	private final java.util.Map<Caller, List<IAuthRule>> rulesByCaller = new java.util.concurrent.ConcurrentHashMap<>();

	private List<IAuthRule> rulesFor(Caller caller) {
		AccessPolicy policy = caller.policy();
		SmartScopes scopes = caller.anonymous() ? null : caller.scopes();
		boolean organizationScoped = policy.reach() == AccessPolicy.Reach.OWN_ORGANIZATION;
		RuleBuilder rules = new RuleBuilder();
		rules.allow("capabilities").metadata();
		boolean anyWrite = false;
		boolean anyUpdate = false;
		for (String type : fhirContext.getResourceTypes()) {
			Set<Interaction> allowed = EnumSet.noneOf(Interaction.class);
			allowed.addAll(policy.on(type));
			if (scopes != null) {
				allowed.retainAll(scopes.on(type));
			}
			if (allowed.isEmpty()) {
				continue;
			}
			IAuthRuleTester scope = organizationScoped && ORGANIZATION_SCOPED.contains(type) ? organizationTester(caller)
					: policy.reach() == AccessPolicy.Reach.AGGREGATES_ONLY && type.equals("MeasureReport") ? SUMMARY_REPORTS_ONLY : null;
			IAuthRuleTester interactions = interactionTester(type, allowed);
			if (allowed.contains(Interaction.READ) || allowed.contains(Interaction.SEARCH)) {
				finish(rules.allow(type + " read").read().resourcesOfType(type).withAnyId(), interactions, scope);
			}
			if (allowed.contains(Interaction.CREATE)) {
				finish(rules.allow(type + " create").create().resourcesOfType(type).withAnyId(), null, scope);
				anyWrite = true;
			}
			if (allowed.contains(Interaction.UPDATE)) {
				finish(rules.allow(type + " update").write().resourcesOfType(type).withAnyId(), interactions, scope);
				anyWrite = true;
				anyUpdate = true;
			}
			if (allowed.contains(Interaction.DELETE)) {
				finish(rules.allow(type + " delete").delete().resourcesOfType(type).withAnyId(), null, scope);
				anyWrite = true;
			}
			if (!organizationScoped) {
				if (allowed.contains(Interaction.CREATE)) {
					rules.allow(type + " conditional create").createConditional().resourcesOfType(type);
				}
				if (allowed.contains(Interaction.UPDATE)) {
					rules.allow(type + " conditional update").updateConditional().resourcesOfType(type);
				}
				if (allowed.contains(Interaction.DELETE)) {
					rules.allow(type + " conditional delete").deleteConditional().resourcesOfType(type);
				}
			}
		}
		if (anyWrite) {
			rules.allow("transaction").transaction().withAnyOperation().andApplyNormalRules();
		}
		if (anyUpdate) {
			rules.allow("patch").patch().allRequests();
		}
		for (String operation : policy.allOperations()) {
			if (operation.equals("$attest") && policy.reach() == AccessPolicy.Reach.OWN_PRACTITIONER) {
				if (caller.fhirUser() != null && caller.fhirUser().startsWith("Practitioner/")) {
					rules.allow("own attestation").operation().named(operation).onInstance(new IdType(caller.fhirUser()))
							.andRequireExplicitResponseAuthorization();
					rules.allow("own record").read().instance(caller.fhirUser());
				}
			} else if (EXPLICIT_RESPONSES.contains(operation)) {
				rules.allow(operation).operation().named(operation).atAnyLevel().andRequireExplicitResponseAuthorization();
			} else {
				rules.allow(operation).operation().named(operation).atAnyLevel().andAllowAllResponses();
			}
		}
		if (policy.operations().contains("$attest")) {
			attestationWrites(rules, caller, policy);
		}
		if (policy.reach() == AccessPolicy.Reach.UNMASKED_DIRECTORY) {
			rules.allow("directory provenance").read().resourcesOfType("Provenance").withAnyId().withTester(ABOUT_THE_DIRECTORY);
			rules.allow("attestation forms").read().resourcesOfType("QuestionnaireResponse").withAnyId().withTester(ABOUT_THE_DIRECTORY);
		}
		rules.denyAll("not permitted to " + caller.describe());
		return List.copyOf(rules.build());
	}

	/** Inside $attest only: the attested Practitioner's new version, the form and its Provenance, in one transaction. */
	private static void attestationWrites(RuleBuilder rules, Caller caller, AccessPolicy policy) {
		IAuthRuleTester inAttestation = new IAuthRuleTester() {
			@Override
			public boolean matches(RuleTestRequest test) {
				return Boolean.TRUE.equals(test.requestDetails.getUserData().get(ATTESTING));
			}
		};
		rules.allow("attested form").create().resourcesOfType("QuestionnaireResponse").withAnyId().withTester(inAttestation);
		rules.allow("attestation provenance").create().resourcesOfType("Provenance").withAnyId().withTester(inAttestation);
		if (policy.reach() == AccessPolicy.Reach.OWN_PRACTITIONER) {
			if (caller.fhirUser() != null) {
				rules.allow("attested record").write().instance(caller.fhirUser()).withTester(inAttestation);
			}
		} else {
			rules.allow("attested record").write().resourcesOfType("Practitioner").withAnyId().withTester(inAttestation);
		}
	}

	/**
	 * A Provenance about directory resources only, or a form whose subject is one (an attestation's): never
	 * one about patient data.
	 */
	static final IAuthRuleTester ABOUT_THE_DIRECTORY = new IAuthRuleTester() {
		@Override
		public boolean matchesOutput(RuleTestRequest test) {
			if (test.resource instanceof org.hl7.fhir.r4.model.Provenance provenance) {
				return provenance.hasTarget() && provenance.getTarget().stream().allMatch(PolicyAuthorization::directory);
			}
			return test.resource instanceof org.hl7.fhir.r4.model.QuestionnaireResponse form && directory(form.getSubject());
		}
	};

	private static boolean directory(org.hl7.fhir.r4.model.Reference reference) {
		return reference.hasReference() && AccessPolicy.DIRECTORY.contains(new IdType(reference.getReference()).getResourceType());
	}

	private static void finish(IAuthRuleBuilderRuleOpClassifierFinished rule, IAuthRuleTester a, IAuthRuleTester b) {
		if (a != null) {
			rule.withTester(a);
		}
		if (b != null) {
			rule.withTester(b);
		}
	}

	/** An aggregates-only role reads summary MeasureReports, never one about a patient or listing patients. */
	private static final IAuthRuleTester SUMMARY_REPORTS_ONLY = new IAuthRuleTester() {
		@Override
		public boolean matches(RuleTestRequest test) {
			return true;
		}

		@Override
		public boolean matchesOutput(RuleTestRequest test) {
			return !(test.resource instanceof org.hl7.fhir.r4.model.MeasureReport report)
					|| report.getType() == org.hl7.fhir.r4.model.MeasureReport.MeasureReportType.SUMMARY;
		}
	};

	/** A read rule covers read and search alike: this keeps each to its own letter (r or s) of the scopes. */
	private static IAuthRuleTester interactionTester(String type, Set<Interaction> allowed) {
		return new IAuthRuleTester() {
			@Override
			public boolean matches(RuleTestRequest test) {
				Interaction needed = Interaction.of(test.operation);
				if (needed == null || !type.equals(test.requestDetails.getResourceName())) {
					// Included, chained or operation resources: judged by what they are (read or search both see).
					return true;
				}
				if (needed == Interaction.UPDATE && test.operation == RestOperationTypeEnum.UPDATE && !allowed.contains(Interaction.UPDATE)) {
					return false;
				}
				if (test.operation == RestOperationTypeEnum.CREATE) {
					return allowed.contains(Interaction.CREATE);
				}
				return allowed.contains(needed);
			}

			@Override
			public boolean matchesOutput(RuleTestRequest test) {
				return true;
			}
		};
	}

	private IAuthRuleTester organizationTester(Caller caller) {
		return new IAuthRuleTester() {
			@Override
			public boolean matches(RuleTestRequest test) {
				// Incoming: a resource being written (checked as it was and as it will be) must be the organization's.
				return test.resource == null || OrganizationScope.of(test.requestDetails, caller, daos).maySee(test.resource);
			}

			@Override
			public boolean matchesOutput(RuleTestRequest test) {
				return test.resource == null || OrganizationScope.of(test.requestDetails, caller, daos).maySee(test.resource);
			}
		};
	}

	/** The directory administrator, and a clinician reading their own record, see opt-outs unmasked. */
	private static void seeUnmaskedWhereAllowed(RequestDetails request, Caller caller, AccessPolicy policy) {
		if (policy.reach() == AccessPolicy.Reach.UNMASKED_DIRECTORY) {
			DirectoryMasking.showUnmasked(request);
		} else if (policy.reach() == AccessPolicy.Reach.OWN_PRACTITIONER && caller.fhirUser() != null
				&& "Practitioner".equals(request.getResourceName()) && request.getId() != null
				&& caller.fhirUser().equals("Practitioner/" + request.getId().getIdPart())) {
			DirectoryMasking.showUnmasked(request);
		}
	}

	/**
	 * A community organization's searches are narrowed to its own referrals before they run, so the
	 * database counts only what it may see: a ServiceRequest search to its performers, a Task search to
	 * its owners (unless it already asks only for its own, by owner or by the referral's performer).
	 */
	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public void narrowSearches(RequestDetails request) {
		Caller caller = callerOf(request);
		request.getUserData().put(CALLER, caller);
		if ("$attest".equals(request.getOperation())) {
			request.getUserData().put(ATTESTING, Boolean.TRUE);
		}
		refuseTheServersHistoryToNarrowCallers(request, caller);
		if (caller.anonymous() || caller.policy().reach() != AccessPolicy.Reach.OWN_ORGANIZATION || request.getId() != null
				|| request.getResourceName() == null || (request.getOperation() != null && !"_search".equals(request.getOperation()))) {
			return;
		}
		String type = request.getResourceName();
		if (!type.equals("ServiceRequest") && !type.equals("Task")) {
			return;
		}
		Set<String> ours = OrganizationScope.of(request, caller, daos).identities();
		Map<String, String[]> parameters = new java.util.HashMap<>(request.getParameters());
		String param = type.equals("ServiceRequest") ? "performer" : "owner";
		boolean alreadyOurs = onlyOurs(parameters.get(param), ours)
				|| (type.equals("Task") && onlyOurs(parameters.get("focus:ServiceRequest.performer"), ours));
		if (!alreadyOurs) {
			List<String> values = new ArrayList<>();
			if (parameters.containsKey(param)) {
				values.addAll(List.of(parameters.get(param)));
			}
			values.add(String.join(",", ours));
			parameters.put(param, values.toArray(String[]::new));
			request.setParameters(parameters);
		}
	}

	/**
	 * The server's whole history holds every type: a caller who may see only the public directory (401) or only
	 * its organization's referrals (403) is refused before it is read, not after, whatever the storage mode
	 * (in HAPI's partition mode that history cannot be read across partitions at all).
	 */
	private void refuseTheServersHistoryToNarrowCallers(RequestDetails request, Caller caller) {
		if (request.getRestOperationType() != RestOperationTypeEnum.HISTORY_SYSTEM) {
			return;
		}
		if (caller.anonymous()) {
			handleDeny(request, null); // 401
		} else if (caller.policy() != null && caller.policy().reach() == AccessPolicy.Reach.OWN_ORGANIZATION) {
			refuse(request, caller, caller.describe() + " may not read the server's whole history");
		}
	}

	private static boolean onlyOurs(String[] values, Set<String> ours) {
		if (values == null || values.length == 0) {
			return false;
		}
		for (String value : values) {
			for (String one : value.split(",")) {
				if (!ours.contains(one)) {
					return false;
				}
			}
		}
		return true;
	}

	/** A community organization moves its Tasks only through the performer's steps of the workflow. */
	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void performerStepsOnly(RequestDetails request, IBaseResource previous, IBaseResource updated) {
		Caller caller = callerOf(request);
		if (caller.anonymous() || caller.policy().reach() != AccessPolicy.Reach.OWN_ORGANIZATION
				|| !(previous instanceof Task before) || !(updated instanceof Task after) || before.getStatus() == after.getStatus()) {
			return;
		}
		if (!PERFORMER_STEPS.contains(after.getStatus())) {
			refuse(request, caller, "a community organization may only take the performer's steps of a referral ("
					+ PERFORMER_STEPS.stream().map(Task.TaskStatus::toCode).sorted().toList() + "), not '" + after.getStatus().toCode() + "'");
		}
	}

	@Override
	protected void handleDeny(RequestDetails request, Verdict verdict) {
		Caller caller = callerOf(request);
		String what = describe(request);
		if (caller.anonymous()) {
			audit.record(refusal(request, caller, 401, "no token: " + what));
			if (request instanceof ServletRequestDetails servlet && servlet.getServletResponse() != null) {
				servlet.getServletResponse().setHeader("WWW-Authenticate", "Bearer");
			}
			String why = "This needs a bearer token: without one, only the public provider directory "
					+ "(" + String.join(", ", AccessPolicy.DIRECTORY.stream().sorted().toList()) + ") can be read and searched";
			AuthenticationException unauthenticated = new AuthenticationException(why);
			unauthenticated.setOperationOutcome(org.equityfhir.api.Outcomes.error(org.hl7.fhir.r4.model.OperationOutcome.IssueType.LOGIN, why));
			throw unauthenticated;
		}
		refuse(request, caller, caller.describe() + " may not " + what);
	}

	private void refuse(RequestDetails request, Caller caller, String why) {
		audit.record(refusal(request, caller, 403, why));
		throw new ForbiddenOperationException("Access denied: " + why,
				org.equityfhir.api.Outcomes.error(org.hl7.fhir.r4.model.OperationOutcome.IssueType.FORBIDDEN, "Access denied: " + why));
	}

	private static AuditTrail.Entry refusal(RequestDetails request, Caller caller, int status, String why) {
		String address = request instanceof ServletRequestDetails servlet ? servlet.getServletRequest().getRemoteAddr() : null;
		String target = request.getId() != null && request.getResourceName() != null
				? request.getResourceName() + "/" + request.getId().getIdPart() : null;
		return new AuditTrail.Entry(caller, AuditInterceptor.interaction(request), AuditInterceptor.action(request),
				AuditEventOutcome._4, status + " " + why, target == null ? List.of() : List.of(target), null,
				AuditInterceptor.query(request), address);
	}

	private static String describe(RequestDetails request) {
		RestOperationTypeEnum operation = request.getRestOperationType();
		String op = operation == null ? "call" : operation.getCode();
		if (request.getOperation() != null && request.getOperation().startsWith("$")) {
			op = request.getOperation();
		}
		return op + (request.getResourceName() == null ? "" : " " + request.getResourceName())
				+ " (or something it reads or returns)";
	}
}
