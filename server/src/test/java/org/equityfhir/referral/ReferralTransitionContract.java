package org.equityfhir.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.UUID;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Referral Tasks arrive as Gravity allows (unclaimed, no owner) and the workflow asks more only when it
 * moves them: accepting needs an owner, rejecting, cancelling or failing needs a reason.
 */
abstract class ReferralTransitionContract extends FhirServerTestBase {

	private String patient;
	private String foodShelf;
	private String referral;

	@BeforeEach
	void referral() {
		Patient p = new Patient();
		p.addName().setFamily("Referral");
		patient = created(client().create().resource(p).execute().getId());
		Organization org = new Organization().setName("Riverside Food Shelf").setActive(true);
		org.addType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/organization-type").setCode("cg");
		foodShelf = created(client().create().resource(org).execute().getId());
		ServiceRequest sr = new ServiceRequest();
		sr.setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE).setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
		sr.addCategory().addCoding().setSystem("http://hl7.org/fhir/us/core/CodeSystem/us-core-category").setCode("sdoh");
		sr.getCode().addCoding(new Coding("http://snomed.info/sct", "467771000124109", "Assistance with application for food pantry program"));
		sr.setSubject(new Reference(patient));
		referral = created(client().create().resource(sr).execute().getId());
	}

	private static String created(org.hl7.fhir.instance.model.api.IIdType id) {
		return id.toUnqualifiedVersionless().getValue();
	}

	private Task task(Task.TaskStatus status) {
		Task task = new Task();
		task.addIdentifier().setSystem("urn:equity-test:task").setValue(UUID.randomUUID().toString());
		task.setStatus(status).setIntent(Task.TaskIntent.ORDER);
		task.setCode(new CodeableConcept().addCoding(new Coding("http://hl7.org/fhir/CodeSystem/task-code", "fulfill", null)));
		task.setFocus(new Reference(referral)).setFor(new Reference(patient));
		task.setAuthoredOnElement(new DateTimeType("2026-11-20T09:00:00Z"));
		task.setRequester(new Reference(foodShelf));
		return task;
	}

	private Task store(Task task) {
		HttpResponse<String> response = post("Task", FHIR_JSON, json(task));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return parse(Task.class, response.body());
	}

	private HttpResponse<String> moveTo(Task stored, Task.TaskStatus status) {
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
		Task stored = client().read().resource(Task.class).withId(unchanged.getIdElement().getIdPart()).execute();
		assertThat(stored.getMeta().getVersionId()).as("nothing stored").isEqualTo(unchanged.getMeta().getVersionId());
		assertThat(stored.getStatus()).isEqualTo(Task.TaskStatus.REQUESTED);
	}

	@Test
	void anUnclaimedReferralIsAcceptedAsGravityAllows() {
		Task unclaimed = store(task(Task.TaskStatus.REQUESTED));
		assertThat(unclaimed.hasOwner()).isFalse();
	}

	@Test
	void acceptingNeedsAnOwner() {
		Task stored = store(task(Task.TaskStatus.REQUESTED));
		assertRefusedAt(moveTo(stored.copy(), Task.TaskStatus.ACCEPTED), "Task.owner", stored);

		Task claimed = stored.copy();
		claimed.setOwner(new Reference(foodShelf));
		HttpResponse<String> accepted = moveTo(claimed, Task.TaskStatus.ACCEPTED);
		assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
	}

	@Test
	void rejectingNeedsAReasonWithText() {
		Task stored = store(task(Task.TaskStatus.REQUESTED));
		assertRefusedAt(moveTo(stored.copy(), Task.TaskStatus.REJECTED), "Task.statusReason", stored);

		Task explained = stored.copy();
		explained.setStatusReason(new CodeableConcept().setText("Outside our service area"));
		HttpResponse<String> rejected = moveTo(explained, Task.TaskStatus.REJECTED);
		assertThat(rejected.statusCode()).as(rejected.body()).isEqualTo(200);
	}

	/** The rule is the workflow's, not an ingest rule: a closed referral copied from another system is stored as is. */
	@Test
	void aReferralArrivingAlreadyRejectedIsStoredAsSent() {
		store(task(Task.TaskStatus.REJECTED));
	}
}
