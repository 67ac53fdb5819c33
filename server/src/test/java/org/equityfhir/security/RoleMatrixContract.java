package org.equityfhir.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.equityfhir.testsupport.TestClients;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The role matrix: every role (and no token) against each resource type the roles differ on, with each
 * SMART interaction (c, r, u, d, s). The expected letters are written out here, from the issue's
 * description of each role, not read from the policy they test. Community organizations are tried on
 * their own referral's resources; a letter they lack is refused even there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RoleMatrixContract extends FhirServerTestBase {

	/** The referring clinic. */
	private static final String CLINIC = "Organization/security-clinic";
	private static final List<String> TYPES = List.of("Patient", "ServiceRequest", "Task", "Practitioner", "AuditEvent");

	/** role: the interactions it has, per type in TYPES order ("-" for none). */
	private static final Map<String, String[]> EXPECTED = new LinkedHashMap<>();

	static {
		EXPECTED.put(TestClients.EHR, new String[] {"cruds", "cruds", "cruds", "cruds", "-"});
		EXPECTED.put(TestClients.FOOD_SHELF_A, new String[] {"r", "rs", "rsu", "rs", "-"});
		EXPECTED.put(TestClients.MEMBER_SERVICES, new String[] {"rs", "-", "-", "rs", "-"});
		EXPECTED.put(TestClients.CLINICIAN, new String[] {"-", "-", "-", "rs", "-"});
		EXPECTED.put(TestClients.DIRECTORY_ADMIN, new String[] {"-", "-", "-", "cruds", "-"});
		EXPECTED.put(TestClients.ADMIN, new String[] {"-", "-", "-", "rs", "rs"});
		EXPECTED.put(TestClients.EQUITY_ANALYST, new String[] {"-", "-", "-", "-", "-"});
		EXPECTED.put(null, new String[] {"-", "-", "-", "rs", "-"});
	}

	private final Map<String, String> existing = new LinkedHashMap<>();

	@BeforeAll
	void resourcesOfOrganizationA() {
		put(TestClients.ORGANIZATION_A, json(organization()), null);
		Organization clinic = organization();
		clinic.setId("security-clinic");
		clinic.setName("Referring Clinic");
		put(CLINIC, json(clinic), null);
		String patient = create(patient());
		Consent consent = new Consent().setStatus(Consent.ConsentState.ACTIVE);
		consent.getScope().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", null));
		consent.addCategory().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IDSCL", null));
		consent.setPatient(new Reference(patient)).setDateTimeElement(new DateTimeType("2026-11-20T09:00:00Z"));
		consent.addOrganization(new Reference(TestClients.ORGANIZATION_A)).addPerformer(new Reference(patient));
		consent.getPolicyRule().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/consentpolicycodes", "hipaa-auth", null));
		consent.setSource(new org.hl7.fhir.r4.model.Attachment().setContentType("application/pdf").setTitle("Signed consent")
				.setUrl("https://clinic.example.org/consents/" + UUID.randomUUID() + ".pdf"));
		String referral = create(referral(patient, create(consent)));
		existing.put("Patient", patient);
		existing.put("ServiceRequest", referral);
		existing.put("Task", create(task(referral, patient)));
		existing.put("Practitioner", create(practitioner()));
		get(existing.get("Patient"));
		HttpResponse<String> trail = send(request("AuditEvent?_count=1").header("Authorization", "Bearer " + tokenFor(TestClients.ADMIN)).GET());
		existing.put("AuditEvent", "AuditEvent/" + parse(org.hl7.fhir.r4.model.Bundle.class, trail.body()).getEntryFirstRep().getResource()
				.getIdElement().getIdPart());
	}

	@Test
	void everyRoleHasExactlyItsInteractionsOnEachType() {
		List<String> wrong = new ArrayList<>();
		EXPECTED.forEach((client, letters) -> {
			for (int t = 0; t < TYPES.size(); t++) {
				String type = TYPES.get(t);
				for (char interaction : "cruds".toCharArray()) {
					boolean allowed = letters[t].indexOf(interaction) >= 0;
					HttpResponse<String> response = attempt(client, type, interaction);
					int status = response.statusCode();
					boolean succeeded = status >= 200 && status < 300;
					// No token: 401; a token without the right: 403; a write of the audit trail: 405 for everyone.
					boolean trailWrite = type.equals("AuditEvent") && "cud".indexOf(interaction) >= 0;
					boolean refusedAsExpected = trailWrite ? status == 405 : client == null ? status == 401 : status == 403;
					if (allowed ? !succeeded : !refusedAsExpected) {
						wrong.add((client == null ? "anonymous" : client) + " " + interaction + " " + type + ": " + status + " "
								+ response.body().substring(0, Math.min(200, response.body().length())));
					}
				}
			}
		});
		assertThat(wrong).isEmpty();
	}

	private HttpResponse<String> attempt(String client, String type, char interaction) {
		HttpRequest.Builder request = switch (interaction) {
			case 'c' -> request(type).header("Content-Type", FHIR_JSON).POST(HttpRequest.BodyPublishers.ofString(json(fresh(type))));
			case 'r' -> request(existing.get(type)).GET();
			case 'u' -> request(existing.get(type)).header("Content-Type", FHIR_JSON)
					.PUT(HttpRequest.BodyPublishers.ofString(get(existing.get(type), type.equals("AuditEvent") ? TestClients.ADMIN : TestClients.EHR)));
			case 'd' -> request(type.equals("AuditEvent") ? existing.get(type) : create(fresh(type))).DELETE();
			default -> request(type + "?_id=" + new IdType(existing.get(type)).getIdPart()).GET();
		};
		return send(client == null ? request.header(ANONYMOUS, "1") : request.header("Authorization", "Bearer " + tokenFor(client)));
	}

	/** The stored resource's body as the given client reads it (what a client would PUT back). */
	private String get(String reference, String client) {
		HttpResponse<String> response = send(request(reference).header("Authorization", "Bearer " + tokenFor(client)).GET());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return response.body();
	}

	private Resource fresh(String type) {
		return switch (type) {
			case "Patient" -> patient();
			case "ServiceRequest" -> referral(existing.get("Patient"), null);
			case "Task" -> task(existing.get("ServiceRequest"), existing.get("Patient"));
			case "Practitioner" -> practitioner();
			default -> new org.hl7.fhir.r4.model.AuditEvent();
		};
	}

	private String create(Resource resource) {
		HttpResponse<String> response = post(resource.fhirType(), FHIR_JSON, json(resource));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return resource.fhirType() + "/" + new IdType(response.headers().firstValue("Location").orElseThrow()).getIdPart();
	}

	private static Organization organization() {
		Organization org = new Organization().setName("Food Shelf A").setActive(true);
		org.setId("food-shelf-a");
		org.addType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/organization-type").setCode("cg");
		return org;
	}

	private static Patient patient() {
		Patient p = new Patient();
		p.addName().setFamily("Matrix").addGiven("Test");
		return p;
	}

	private static Practitioner practitioner() {
		Practitioner p = new Practitioner();
		p.addIdentifier().setSystem("urn:test:matrix").setValue(UUID.randomUUID().toString());
		p.addName().setFamily("Matrix").addGiven("Doctor");
		return p;
	}

	private static ServiceRequest referral(String patient, String consent) {
		ServiceRequest sr = new ServiceRequest();
		sr.setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE).setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
		sr.addCategory().addCoding().setSystem("http://hl7.org/fhir/us/core/CodeSystem/us-core-category").setCode("sdoh");
		sr.getCode().addCoding(new Coding("http://snomed.info/sct", "467771000124109", "Assistance with application for food pantry program"));
		sr.setSubject(new Reference(patient)).addPerformer(new Reference(TestClients.ORGANIZATION_A));
		if (consent != null) {
			sr.addSupportingInfo(new Reference(consent));
		}
		return sr;
	}

	private static Task task(String referral, String patient) {
		Task task = new Task();
		task.setStatus(Task.TaskStatus.REQUESTED).setIntent(Task.TaskIntent.ORDER);
		task.setCode(new CodeableConcept().addCoding(new Coding("http://hl7.org/fhir/CodeSystem/task-code", "fulfill", null)));
		task.setFocus(new Reference(referral)).setFor(new Reference(patient)).setOwner(new Reference(TestClients.ORGANIZATION_A));
		task.setAuthoredOnElement(new DateTimeType("2026-11-20T09:00:00Z")).setRequester(new Reference(CLINIC));
		return task;
	}
}
