package org.equityfhir.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The searches a community organization lives by: its open referrals with everything needed to act on them
 * in one request, the referrals anyone may claim, and polling for what changed since the last look.
 */
abstract class WorklistContract extends FhirServerTestBase {

	private String patient;
	private String foodShelf;
	private String housing;
	private String clinic;
	private String referral;
	private String consent;

	@BeforeEach
	void data() {
		Patient p = new Patient();
		p.addName().setFamily("Worklist").addGiven("Hodan");
		patient = id(client().create().resource(p).execute().getId());
		foodShelf = id(client().create().resource(organization("Worklist Food Shelf " + UUID.randomUUID())).execute().getId());
		housing = id(client().create().resource(organization("Worklist Housing " + UUID.randomUUID())).execute().getId());
		clinic = id(client().create().resource(organization("Worklist Clinic " + UUID.randomUUID())).execute().getId());
		Consent c = new Consent().setStatus(Consent.ConsentState.ACTIVE);
		c.getScope().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", null));
		c.addCategory().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IDSCL", null));
		c.setPatient(new Reference(patient)).setDateTimeElement(new DateTimeType("2026-11-20T09:00:00Z"));
		c.addOrganization(new Reference(clinic)).addPerformer(new Reference(patient));
		c.setSource(new org.hl7.fhir.r4.model.Attachment().setContentType("application/pdf").setTitle("Signed referral consent")
				.setUrl("https://clinic.example.org/consents/" + UUID.randomUUID() + ".pdf"));
		c.getPolicyRule().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/consentpolicycodes", "hipaa-auth", null));
		consent = id(client().create().resource(c).execute().getId());
		ServiceRequest sr = new ServiceRequest();
		sr.setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE).setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
		sr.addCategory().addCoding().setSystem("http://hl7.org/fhir/us/core/CodeSystem/us-core-category").setCode("sdoh");
		sr.getCode().addCoding(new Coding("http://snomed.info/sct", "467771000124109", "Assistance with application for food pantry program"));
		sr.setSubject(new Reference(patient)).addSupportingInfo(new Reference(consent));
		referral = id(client().create().resource(sr).execute().getId());
	}

	private static Organization organization(String name) {
		Organization org = new Organization().setName(name).setActive(true);
		org.addType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/organization-type").setCode("cg");
		return org;
	}

	private static String id(org.hl7.fhir.instance.model.api.IIdType id) {
		return id.toUnqualifiedVersionless().getValue();
	}

	private String task(Task.TaskStatus status, String owner) {
		Task task = new Task();
		task.setStatus(status).setIntent(Task.TaskIntent.ORDER);
		task.setCode(new CodeableConcept().addCoding(new Coding("http://hl7.org/fhir/CodeSystem/task-code", "fulfill", null)));
		task.setFocus(new Reference(referral)).setFor(new Reference(patient));
		task.setAuthoredOnElement(new DateTimeType("2026-11-20T09:00:00Z")).setRequester(new Reference(clinic));
		if (owner != null) {
			task.setOwner(new Reference(owner));
		}
		return id(client().create().resource(task).execute().getId());
	}

	private Bundle search(String query) {
		HttpResponse<String> response = get(query);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return parse(Bundle.class, response.body());
	}

	private static List<String> ids(Bundle bundle, Bundle.SearchEntryMode mode) {
		return bundle.getEntry().stream().filter(e -> e.getSearch().getMode() == mode)
				.map(e -> ((Resource) e.getResource()).getIdElement().toUnqualifiedVersionless().getValue()).toList();
	}

	@Test
	void oneSearchGivesAnOrganizationItsOpenReferralsWithTheRequestThePatientAndTheConsent() {
		String requested = task(Task.TaskStatus.REQUESTED, foodShelf);
		String accepted = task(Task.TaskStatus.ACCEPTED, foodShelf);
		String inProgress = task(Task.TaskStatus.INPROGRESS, foodShelf);
		task(Task.TaskStatus.COMPLETED, foodShelf);
		task(Task.TaskStatus.REQUESTED, housing);

		Bundle worklist = search("Task?owner=" + foodShelf + "&status=requested,accepted,in-progress"
				+ "&_include=Task:focus&_include=Task:patient&_include:iterate=ServiceRequest:supporting-info");
		assertThat(ids(worklist, Bundle.SearchEntryMode.MATCH)).containsExactlyInAnyOrder(requested, accepted, inProgress);
		assertThat(ids(worklist, Bundle.SearchEntryMode.INCLUDE)).containsExactlyInAnyOrder(referral, patient, consent);
	}

	@Test
	void unclaimedReferralsAreListedForAnyoneToClaim() {
		String unclaimed = task(Task.TaskStatus.REQUESTED, null);
		String claimed = task(Task.TaskStatus.REQUESTED, foodShelf);
		List<String> claimable = ids(search("Task?owner:missing=true&status=requested&requester=" + clinic),
				Bundle.SearchEntryMode.MATCH);
		assertThat(claimable).contains(unclaimed).doesNotContain(claimed);
	}

	@Test
	void pollingWithLastUpdatedSeesOnlyWhatChangedSinceTheLastLook() throws InterruptedException {
		String before = task(Task.TaskStatus.REQUESTED, foodShelf);
		Thread.sleep(1100);
		Instant lastLook = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
		Thread.sleep(1100);
		String after = task(Task.TaskStatus.REQUESTED, foodShelf);
		List<String> changed = ids(search("Task?owner=" + foodShelf + "&_lastUpdated=gt" + lastLook), Bundle.SearchEntryMode.MATCH);
		assertThat(changed).containsExactly(after).doesNotContain(before);
	}
}
