package org.equityfhir.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Task.TaskStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The referral workflow as the server enforces it: referral Tasks arrive as Gravity allows (unclaimed, in
 * any status a sender reports) and every status change must be a step of the issue's table and meet the
 * workflow's rules, or nothing is stored.
 */
abstract class ReferralTransitionContract extends FhirServerTestBase {

	/** The issue's table, written out independently of the code's. */
	private static final Map<TaskStatus, Set<TaskStatus>> SPEC = Map.of(
			TaskStatus.DRAFT, EnumSet.of(TaskStatus.REQUESTED),
			TaskStatus.REQUESTED, EnumSet.of(TaskStatus.ACCEPTED, TaskStatus.REJECTED, TaskStatus.CANCELLED),
			TaskStatus.ACCEPTED, EnumSet.of(TaskStatus.INPROGRESS, TaskStatus.ONHOLD, TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED),
			TaskStatus.INPROGRESS, EnumSet.of(TaskStatus.ONHOLD, TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED),
			TaskStatus.ONHOLD, EnumSet.of(TaskStatus.INPROGRESS, TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED));
	private static final Set<TaskStatus> STORABLE = EnumSet.complementOf(EnumSet.of(TaskStatus.READY, TaskStatus.RECEIVED, TaskStatus.NULL));

	private String patient;
	private String foodShelf;
	private String foodShelfService;
	private String otherOrganization;
	private String referral;

	@BeforeEach
	void referral() {
		Patient p = new Patient();
		p.addName().setFamily("Referral");
		patient = created(client().create().resource(p).execute().getId());
		foodShelf = created(client().create().resource(communityOrganization("Riverside Food Shelf")).execute().getId());
		otherOrganization = created(client().create().resource(communityOrganization("Elsewhere Housing")).execute().getId());
		HealthcareService service = new HealthcareService().setName("Riverside groceries").setActive(true);
		service.setProvidedBy(new Reference(foodShelf));
		foodShelfService = created(client().create().resource(service).execute().getId());
		referral = created(client().create().resource(serviceRequest(true)).execute().getId());
	}

	private static Organization communityOrganization(String name) {
		Organization org = new Organization().setName(name).setActive(true);
		org.addType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/organization-type").setCode("cg");
		return org;
	}

	private ServiceRequest serviceRequest(boolean withPerformer) {
		ServiceRequest sr = new ServiceRequest();
		sr.setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE).setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
		sr.addCategory().addCoding().setSystem("http://hl7.org/fhir/us/core/CodeSystem/us-core-category").setCode("sdoh");
		sr.getCode().addCoding(new Coding("http://snomed.info/sct", "467771000124109", "Assistance with application for food pantry program"));
		sr.setSubject(new Reference(patient));
		if (withPerformer) {
			sr.addPerformer(new Reference(foodShelf));
		}
		return sr;
	}

	private static String created(org.hl7.fhir.instance.model.api.IIdType id) {
		return id.toUnqualifiedVersionless().getValue();
	}

	private Task task(TaskStatus status) {
		Task task = new Task();
		task.addIdentifier().setSystem("urn:equity-test:task").setValue(UUID.randomUUID().toString());
		task.setStatus(status).setIntent(Task.TaskIntent.ORDER);
		task.setCode(new CodeableConcept().addCoding(new Coding("http://hl7.org/fhir/CodeSystem/task-code", "fulfill", null)));
		task.setFocus(new Reference(referral)).setFor(new Reference(patient));
		task.setAuthoredOnElement(new DateTimeType("2026-11-20T09:00:00Z"));
		task.setRequester(new Reference(otherOrganization));
		return task;
	}

	private Task store(Task task) {
		HttpResponse<String> response = post("Task", FHIR_JSON, json(task));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return parse(Task.class, response.body());
	}

	private String procedureFor(String serviceRequest) {
		Procedure procedure = new Procedure();
		procedure.setStatus(Procedure.ProcedureStatus.COMPLETED);
		procedure.getCode().addCoding(new Coding("http://snomed.info/sct", "710925007", "Provision of food"));
		procedure.setSubject(new Reference(patient));
		procedure.setPerformed(new DateTimeType("2026-11-21T10:00:00Z"));
		if (serviceRequest != null) {
			procedure.addBasedOn(new Reference(serviceRequest));
		}
		return created(client().create().resource(procedure).execute().getId());
	}

	/** Everything every rule asks for, so that only the step itself decides. */
	private Task meetingEveryRule(Task task) {
		task.setOwner(new Reference(foodShelf));
		task.setStatusReason(new CodeableConcept().setText("Family moved out of the service area"));
		task.getOutput().clear();
		task.addOutput().setType(new CodeableConcept().addCoding(new Coding(
				ReferralTransition.SDOHCC_CODES, ReferralTransition.RESULTING_ACTIVITY, null)))
				.setValue(new Reference(procedureFor(referral)));
		return task;
	}

	private HttpResponse<String> moveTo(Task stored, TaskStatus status) {
		stored.setStatus(status);
		return put("Task/" + stored.getIdElement().getIdPart(), json(stored), null);
	}

	private void assertRefusedAt(HttpResponse<String> response, String expression, Task unchanged) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
		assertThat(parse(OperationOutcome.class, response.body()).getIssue()).anySatisfy(issue -> {
			assertThat(issue.getCode()).isEqualTo(OperationOutcome.IssueType.BUSINESSRULE);
			assertThat(issue.getExpression()).extracting(e -> e.getValue()).containsExactly(expression);
			assertThat(issue.getDiagnostics()).contains(expression);
		});
		assertUnchanged(unchanged);
	}

	private void assertUnchanged(Task unchanged) {
		Task stored = client().read().resource(Task.class).withId(unchanged.getIdElement().getIdPart()).execute();
		assertThat(stored.getMeta().getVersionId()).as("nothing stored").isEqualTo(unchanged.getMeta().getVersionId());
		assertThat(stored.getStatus()).isEqualTo(unchanged.getStatus());
	}

	private ServiceRequest.ServiceRequestStatus referralStatus() {
		return client().read().resource(ServiceRequest.class).withId(referral).execute().getStatus();
	}

	@Test
	void anUnclaimedReferralIsAcceptedAsGravityAllows() {
		Task unclaimed = store(task(TaskStatus.REQUESTED));
		assertThat(unclaimed.hasOwner()).isFalse();
	}

	/** The rule is the workflow's, not an ingest rule: a closed referral copied from another system is stored as is. */
	@Test
	void aReferralArrivingAlreadyRejectedIsStoredAsSent() {
		store(task(TaskStatus.REJECTED));
	}

	@Test
	void everyStepOutsideTheTableIsRefusedNamingTheAllowedOnesAndChangesNothing() {
		List<String> refused = new ArrayList<>();
		for (TaskStatus from : STORABLE) {
			Task stored = store(meetingEveryRule(task(from)));
			for (TaskStatus to : EnumSet.complementOf(EnumSet.of(from, TaskStatus.NULL))) {
				boolean allowed = SPEC.getOrDefault(from, Set.of()).contains(to)
						|| (to == TaskStatus.ENTEREDINERROR && from != TaskStatus.ENTEREDINERROR);
				if (allowed) {
					continue;
				}
				HttpResponse<String> response = moveTo(stored.copy(), to);
				assertThat(response.statusCode()).as(from + " -> " + to + ": " + response.body()).isEqualTo(422);
				if (to != TaskStatus.READY && to != TaskStatus.RECEIVED) { // refused by the profile first
					OperationOutcome outcome = parse(OperationOutcome.class, response.body());
					assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Task.status");
					String diagnostics = outcome.getIssueFirstRep().getDiagnostics();
					assertThat(diagnostics).contains("'" + from.toCode() + "'", "'" + to.toCode() + "'");
					SPEC.getOrDefault(from, Set.of()).forEach(next -> assertThat(diagnostics).contains(next.toCode()));
				}
				assertUnchanged(stored);
				refused.add(from.toCode() + "->" + to.toCode());
			}
		}
		assertThat(refused).contains("requested->completed", "completed->in-progress", "draft->accepted",
				"rejected->accepted", "accepted->requested", "entered-in-error->requested", "accepted->ready");
	}

	@Test
	void everyStepInTheTableIsTakenWhenItsRulesAreMet() {
		for (Map.Entry<TaskStatus, Set<TaskStatus>> row : SPEC.entrySet()) {
			for (TaskStatus to : EnumSet.copyOf(row.getValue())) {
				Task stored = store(meetingEveryRule(task(row.getKey())));
				HttpResponse<String> response = moveTo(stored, to);
				assertThat(response.statusCode()).as(row.getKey() + " -> " + to + ": " + response.body()).isEqualTo(200);
			}
		}
		Task completed = store(meetingEveryRule(task(TaskStatus.COMPLETED)));
		assertThat(moveTo(completed, TaskStatus.ENTEREDINERROR).statusCode()).isEqualTo(200);
	}

	@Test
	void acceptingNeedsAnOwner() {
		Task stored = store(task(TaskStatus.REQUESTED));
		assertRefusedAt(moveTo(stored.copy(), TaskStatus.ACCEPTED), "Task.owner", stored);

		Task claimed = stored.copy();
		claimed.setOwner(new Reference(foodShelf));
		HttpResponse<String> accepted = moveTo(claimed, TaskStatus.ACCEPTED);
		assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
	}

	@Test
	void onlyThePerformerTheReferralNamesOrOneOfItsServicesMayAcceptIt() {
		Task stored = store(task(TaskStatus.REQUESTED));
		Task byAnother = stored.copy();
		byAnother.setOwner(new Reference(otherOrganization));
		assertRefusedAt(moveTo(byAnother, TaskStatus.ACCEPTED), "Task.owner", stored);

		Task byItsService = stored.copy();
		byItsService.setOwner(new Reference(foodShelfService));
		HttpResponse<String> accepted = moveTo(byItsService, TaskStatus.ACCEPTED);
		assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
	}

	@Test
	void aReferralNamingNoPerformerMayBeClaimedByAnyOrganization() {
		referral = created(client().create().resource(serviceRequest(false)).execute().getId());
		Task stored = store(task(TaskStatus.REQUESTED));
		stored.setOwner(new Reference(otherOrganization));
		HttpResponse<String> accepted = moveTo(stored, TaskStatus.ACCEPTED);
		assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
	}

	@Test
	void rejectingNeedsAReasonWithText() {
		Task stored = store(task(TaskStatus.REQUESTED));
		assertRefusedAt(moveTo(stored.copy(), TaskStatus.REJECTED), "Task.statusReason", stored);

		Task explained = stored.copy();
		explained.setStatusReason(new CodeableConcept().setText("Outside our service area"));
		HttpResponse<String> rejected = moveTo(explained, TaskStatus.REJECTED);
		assertThat(rejected.statusCode()).as(rejected.body()).isEqualTo(200);
		assertThat(referralStatus()).as("a rejected referral may be sent elsewhere").isEqualTo(ServiceRequest.ServiceRequestStatus.ACTIVE);
	}

	@Test
	void cancellingFailingAndPuttingOnHoldNeedAReason() {
		for (TaskStatus to : List.of(TaskStatus.CANCELLED, TaskStatus.FAILED, TaskStatus.ONHOLD)) {
			Task accepted = task(TaskStatus.ACCEPTED);
			accepted.setOwner(new Reference(foodShelf));
			Task stored = store(accepted);
			assertRefusedAt(moveTo(stored.copy(), to), "Task.statusReason", stored);
		}
	}

	@Test
	void completingNeedsTheProcedureThatWasDoneForThisReferral() {
		Task inProgress = task(TaskStatus.INPROGRESS);
		inProgress.setOwner(new Reference(foodShelf));
		Task stored = store(inProgress);
		assertRefusedAt(moveTo(stored.copy(), TaskStatus.COMPLETED), "Task.output", stored);

		Task unrelated = stored.copy();
		unrelated.addOutput().setType(new CodeableConcept().addCoding(new Coding(
				ReferralTransition.SDOHCC_CODES, ReferralTransition.RESULTING_ACTIVITY, null)))
				.setValue(new Reference(procedureFor(null)));
		assertRefusedAt(moveTo(unrelated, TaskStatus.COMPLETED), "Task.output", stored);

		Task done = stored.copy();
		done.addOutput().setType(new CodeableConcept().addCoding(new Coding(
				ReferralTransition.SDOHCC_CODES, ReferralTransition.RESULTING_ACTIVITY, null)))
				.setValue(new Reference(procedureFor(referral)));
		HttpResponse<String> completed = moveTo(done, TaskStatus.COMPLETED);
		assertThat(completed.statusCode()).as(completed.body()).isEqualTo(200);
		assertThat(referralStatus()).as("the ServiceRequest follows its Task").isEqualTo(ServiceRequest.ServiceRequestStatus.COMPLETED);
	}

	@Test
	void theProcedureAndTheCompletionMayArriveInOneTransaction() {
		Task inProgress = task(TaskStatus.INPROGRESS);
		inProgress.setOwner(new Reference(foodShelf));
		Task stored = store(inProgress);

		Procedure procedure = new Procedure();
		procedure.setStatus(Procedure.ProcedureStatus.COMPLETED);
		procedure.getCode().addCoding(new Coding("http://snomed.info/sct", "710925007", "Provision of food"));
		procedure.setSubject(new Reference(patient)).setPerformed(new DateTimeType("2026-11-21T10:00:00Z"));
		procedure.addBasedOn(new Reference(referral));
		String procedureUrn = "urn:uuid:" + UUID.randomUUID();
		Task done = stored.copy().setStatus(TaskStatus.COMPLETED);
		done.addOutput().setType(new CodeableConcept().addCoding(new Coding(
				ReferralTransition.SDOHCC_CODES, ReferralTransition.RESULTING_ACTIVITY, null)))
				.setValue(new Reference(procedureUrn));
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		transaction.addEntry().setFullUrl(procedureUrn).setResource(procedure)
				.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Procedure");
		transaction.addEntry().setResource(done)
				.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Task/" + stored.getIdElement().getIdPart());
		HttpResponse<String> response = post("", FHIR_JSON, json(transaction));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(referralStatus()).isEqualTo(ServiceRequest.ServiceRequestStatus.COMPLETED);
	}

	@Test
	void aRefusedStepInATransactionStoresNothingElse() {
		Task stored = store(task(TaskStatus.REQUESTED));
		String marker = UUID.randomUUID().toString();
		Patient bystander = new Patient();
		bystander.addIdentifier().setSystem("urn:equity-test:bystander").setValue(marker);
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		transaction.addEntry().setResource(bystander).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
		Task skipping = meetingEveryRule(stored.copy()).setStatus(TaskStatus.COMPLETED);
		transaction.addEntry().setResource(skipping)
				.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Task/" + stored.getIdElement().getIdPart());
		HttpResponse<String> response = post("", FHIR_JSON, json(transaction));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
		assertThat(response.body()).contains("accepted, rejected, cancelled");
		assertUnchanged(stored);
		assertThat(get("Patient?identifier=urn:equity-test:bystander%7C" + marker).body()).contains("\"total\":0");
	}

	@Test
	void cancellingTheReferralRevokesItsServiceRequest() {
		Task stored = store(task(TaskStatus.REQUESTED));
		stored.setStatusReason(new CodeableConcept().setText("Patient found help elsewhere"));
		HttpResponse<String> cancelled = moveTo(stored, TaskStatus.CANCELLED);
		assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
		assertThat(referralStatus()).isEqualTo(ServiceRequest.ServiceRequestStatus.REVOKED);
	}

	@Test
	void twoPartiesUpdatingATaskAtOnceTheStaleOneLosesWith412() {
		Task stored = store(task(TaskStatus.REQUESTED));
		String version = "W/\"" + stored.getMeta().getVersionId() + "\"";
		Task accept = stored.copy().setOwner(new Reference(foodShelf)).setStatus(TaskStatus.ACCEPTED);
		Task reject = stored.copy().setStatus(TaskStatus.REJECTED)
				.setStatusReason(new CodeableConcept().setText("No capacity this week"));
		HttpResponse<String> first = put("Task/" + stored.getIdElement().getIdPart(), json(accept), version);
		HttpResponse<String> second = put("Task/" + stored.getIdElement().getIdPart(), json(reject), version);
		assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
		assertThat(second.statusCode()).as(second.body()).isEqualTo(412);
		assertThat(parse(OperationOutcome.class, second.body()).getIssueFirstRep().getCode())
				.isEqualTo(OperationOutcome.IssueType.CONFLICT);
		assertThat(client().read().resource(Task.class).withId(stored.getIdElement().getIdPart()).execute().getStatus())
				.isEqualTo(TaskStatus.ACCEPTED);
	}
}
