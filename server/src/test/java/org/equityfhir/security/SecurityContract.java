package org.equityfhir.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.equityfhir.testsupport.TestClients;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Security as its users meet it: a SMART Backend Services client written as a client writes it, the
 * public directory without a token, two community organizations that each see exactly their own
 * referrals, and a table of hostile requests, each refused, audited and changing nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SecurityContract extends FhirServerTestBase {

	private static final ObjectMapper JSON = new ObjectMapper();
	/** The referring clinic. */
	private static final String CLINIC = "Organization/security-clinic";

	private String patientA;
	private String patientB;
	private String referralA;
	private String referralB;
	private String taskA;
	private String taskB;
	private String claimableA;
	/** A referral to A whose patient gave no consent to share: A sees the referral, never the patient. */
	private String patientWithoutConsent;
	private String taskWithoutConsent;

	@BeforeAll
	void referralsToTwoOrganizations() {
		put(TestClients.ORGANIZATION_A, json(organization("food-shelf-a", "Food Shelf A")), null);
		put(TestClients.ORGANIZATION_B, json(organization("food-shelf-b", "Food Shelf B")), null);
		put(CLINIC, json(organization("security-clinic", "Referring Clinic")), null);
		patientA = create(patient("Alpha"));
		patientB = create(patient("Bravo"));
		referralA = create(referral(patientA, TestClients.ORGANIZATION_A, create(consent(patientA))));
		referralB = create(referral(patientB, TestClients.ORGANIZATION_B, create(consent(patientB))));
		taskA = create(task(referralA, patientA, TestClients.ORGANIZATION_A));
		taskB = create(task(referralB, patientB, TestClients.ORGANIZATION_B));
		claimableA = create(task(referralA, patientA, null));
		patientWithoutConsent = create(patient("Charlie"));
		taskWithoutConsent = create(task(create(referral(patientWithoutConsent, TestClients.ORGANIZATION_A, null)), patientWithoutConsent,
				TestClients.ORGANIZATION_A));
	}

	// ---- SMART Backend Services, as a client writes it ----

	@Test
	void aBackendServicesClientFindsTheTokenEndpointGetsATokenAndCallsTheApi() throws Exception {
		JsonNode smart = JSON.readTree(send(request(".well-known/smart-configuration").header(ANONYMOUS, "1").GET()).body());
		String tokenEndpoint = smart.get("token_endpoint").asText();
		assertThat(tokenEndpoint).isEqualTo(origin() + "/oauth2/token");
		assertThat(smart.get("token_endpoint_auth_signing_alg_values_supported").toString()).contains("RS384", "ES384");

		for (String client : List.of(TestClients.FOOD_SHELF_A /* ES384 */, TestClients.EHR /* RS384 */)) {
			String assertion = TestClients.assertion(tokenEndpoint, client, TestClients.key(client));
			HttpResponse<String> token = TestClients.requestToken(origin(), assertion, "system/ServiceRequest.rs");
			assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
			JsonNode body = JSON.readTree(token.body());
			assertThat(body.get("token_type").asText()).isEqualToIgnoringCase("Bearer");
			assertThat(body.get("scope").asText()).isEqualTo("system/ServiceRequest.rs");
			String bearer = body.get("access_token").asText();

			HttpResponse<String> search = send(request("ServiceRequest?_id=" + id(referralA)).header("Authorization", "Bearer " + bearer).GET());
			assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
			assertThat(parse(Bundle.class, search.body()).getTotal()).isEqualTo(1);
			// The scope granted reads of ServiceRequest only: Task is denied by default.
			HttpResponse<String> task = send(request("Task?_id=" + id(taskA)).header("Authorization", "Bearer " + bearer).GET());
			assertThat(task.statusCode()).as(task.body()).isEqualTo(403);
		}
	}

	@Test
	void theReadmesClientRegistersAndCallsTheApi() throws Exception {
		java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("smart-client");
		java.nio.file.Path source = java.nio.file.Path.of("..", "docs", "examples", "SmartClient.java").toAbsolutePath().normalize();
		String clientId = "readme-" + UUID.randomUUID().toString().substring(0, 8);
		String registration = run(dir, source.toString(), "keygen", clientId);
		HttpResponse<String> registered = send(HttpRequest.newBuilder(URI.create(origin() + "/admin/clients"))
				.header("Authorization", "Bearer " + tokenFor(TestClients.ADMIN)).header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(registration)));
		assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
		String answer = run(dir, source.toString(), "call", origin(), clientId, "system/ServiceRequest.rs", "ServiceRequest?_id=" + id(referralA));
		assertThat(parse(Bundle.class, answer).getTotal()).isEqualTo(1);
		// Registration is refused with a reason when it cannot be honoured.
		HttpResponse<String> bad = send(HttpRequest.newBuilder(URI.create(origin() + "/admin/clients"))
				.header("Authorization", "Bearer " + tokenFor(TestClients.ADMIN)).header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(registration.replace("\"ehr\"", "\"community-organization\""))));
		assertThat(bad.statusCode()).isEqualTo(422);
		assertThat(bad.body()).contains("organization");
		// Only the admin registers clients.
		HttpResponse<String> notAdmin = send(HttpRequest.newBuilder(URI.create(origin() + "/admin/clients"))
				.header("Authorization", "Bearer " + tokenFor(TestClients.EHR)).header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(registration)));
		assertThat(notAdmin.statusCode()).isEqualTo(403);
	}

	private static String run(java.nio.file.Path dir, String... args) throws Exception {
		List<String> command = new java.util.ArrayList<>(List.of(
				java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString()));
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
		String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
		assertThat(process.waitFor()).as(out).isZero();
		return out;
	}

	@Test
	void theCapabilityStatementDeclaresSmartAndTheTokenEndpoint() {
		HttpResponse<String> metadata = send(request("metadata").header(ANONYMOUS, "1").GET());
		assertThat(metadata.statusCode()).isEqualTo(200);
		assertThat(metadata.body()).contains("SMART-on-FHIR", origin() + "/oauth2/token");
	}

	// ---- web pages ----

	@Test
	void everyPageCarriesSecurityHeadersAndTheSignInFormACsrfToken() {
		for (String page : List.of("/inbox/", "/attest/", "/directory/", "/login")) {
			HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(origin() + page)).header(ANONYMOUS, "1").GET());
			assertThat(response.statusCode()).as(page).isEqualTo(200);
			assertThat(response.headers().firstValue("Content-Security-Policy")).as(page)
					.hasValueSatisfying(csp -> assertThat(csp).contains("frame-ancestors 'none'", "default-src 'self'"));
			assertThat(response.headers().firstValue("X-Frame-Options")).as(page).contains("DENY");
			assertThat(response.headers().firstValue("X-Content-Type-Options")).as(page).contains("nosniff");
		}
		assertThat(send(HttpRequest.newBuilder(URI.create(origin() + "/login")).header(ANONYMOUS, "1").GET()).body())
				.contains("name=\"_csrf\"");
		// A sign-in posted without the form's CSRF token is refused.
		HttpResponse<String> forged = send(HttpRequest.newBuilder(URI.create(origin() + "/login")).header(ANONYMOUS, "1")
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString("username=a&password=b")));
		assertThat(forged.statusCode()).isEqualTo(403);
	}

	// ---- the public directory ----

	@Test
	void thePublicDirectoryAnswersWithoutATokenAndNothingElseDoes() {
		assertThat(anonymous("Organization?_id=food-shelf-a").statusCode()).isEqualTo(200);
		assertThat(anonymous("Practitioner?_count=1").statusCode()).isEqualTo(200);
		for (String path : List.of(patientA, referralA, taskA, "Patient", "ServiceRequest", "Task?owner=" + TestClients.ORGANIZATION_A,
				"AuditEvent", "Consent", "_history", "Patient/" + id(patientA) + "/$everything")) {
			HttpResponse<String> refused = anonymous(path);
			assertThat(refused.statusCode()).as(path + " " + refused.body()).isEqualTo(401);
			assertThat(refused.headers().firstValue("WWW-Authenticate")).as(path).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
			assertThat(refused.body()).as(path).contains("OperationOutcome").doesNotContain("Alpha", "Bravo");
		}
	}

	// ---- two community organizations ----

	@Test
	void eachOrganizationSeesExactlyItsOwnReferralsByEverySearchPath() {
		assertThat(ids(as(TestClients.FOOD_SHELF_A, "ServiceRequest?_id=" + id(referralA) + "," + id(referralB)))).containsExactly(referralA);
		assertThat(ids(as(TestClients.FOOD_SHELF_B, "ServiceRequest?_id=" + id(referralA) + "," + id(referralB)))).containsExactly(referralB);
		// (Other tests share the database and also refer to these organizations: each search names its candidates.)
		String tasks = "Task?_id=" + String.join(",", id(taskA), id(taskB), id(claimableA), id(taskWithoutConsent));
		assertThat(ids(as(TestClients.FOOD_SHELF_A, tasks))).containsExactlyInAnyOrder(taskA, taskWithoutConsent);
		assertThat(ids(as(TestClients.FOOD_SHELF_B, tasks))).containsExactly(taskB);
		// The worklist's two searches: owned, and unowned but addressed to it (claimable).
		assertThat(ids(as(TestClients.FOOD_SHELF_A, tasks + "&owner:missing=true&focus:ServiceRequest.performer=" + TestClients.ORGANIZATION_A)))
				.containsExactly(claimableA);
		// Asking for the other organization's referrals finds nothing, and the total says so.
		Bundle other = as(TestClients.FOOD_SHELF_A, "ServiceRequest?performer=" + TestClients.ORGANIZATION_B + "&_total=accurate");
		assertThat(other.getEntry()).isEmpty();
		assertThat(other.getTotal()).isZero();
		// Includes bring the referral, the patient (minimum necessary) and the consent of its own referrals.
		Bundle withIncludes = as(TestClients.FOOD_SHELF_A, "Task?_id=" + id(taskA) + "&_include=Task:focus&_include=Task:patient");
		assertThat(withIncludes.getEntry()).extracting(e -> e.getResource().getIdElement().toUnqualifiedVersionless().getValue())
				.contains(taskA, referralA, patientA);
		Patient shown = (Patient) withIncludes.getEntry().stream().filter(e -> e.getResource() instanceof Patient).findFirst().orElseThrow()
				.getResource();
		assertThat(shown.getNameFirstRep().getFamily()).isEqualTo("Alpha");
		assertThat(shown.getTelecomFirstRep().getValue()).isEqualTo("555-0100");
		assertThat(shown.hasBirthDate()).as("only what the service needs").isFalse();
		assertThat(shown.hasIdentifier()).isFalse();
	}

	@Test
	void theOtherOrganizationsDataIsRefusedByEveryOtherPath() {
		String a = TestClients.FOOD_SHELF_A;
		for (String path : List.of(referralB, taskB, patientB, referralB + "/_history", patientWithoutConsent,
				"Task?_id=" + id(taskWithoutConsent) + "&_include=Task:patient",
				"Patient?_id=" + id(patientA), "Patient/" + id(patientA) + "/$everything", "_history", "Observation")) {
			HttpResponse<String> refused = send(request(path).header("Authorization", "Bearer " + tokenFor(a)).GET());
			assertThat(refused.statusCode()).as(path + " " + refused.body()).isIn(403, 404);
			assertThat(refused.body()).as(path).doesNotContain("Bravo", "Charlie");
		}
		// Its own patient, read directly, shows just what the service needs.
		HttpResponse<String> own = send(request(patientA).header("Authorization", "Bearer " + tokenFor(a)).GET());
		assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
	}

	@Test
	void aCrossOrganizationWriteIsRefusedAuditedAndChangesNothing() {
		Task other = client().read().resource(Task.class).withId(taskB).execute();
		String before = other.getMeta().getVersionId();
		other.setStatus(Task.TaskStatus.ACCEPTED);
		HttpResponse<String> refused = send(request(taskB).header("Authorization", "Bearer " + tokenFor(TestClients.FOOD_SHELF_A))
				.header("Content-Type", FHIR_JSON).PUT(HttpRequest.BodyPublishers.ofString(json(other))));
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
		assertThat(client().read().resource(Task.class).withId(taskB).execute().getMeta().getVersionId()).isEqualTo(before);
		assertThat(auditedRefusals(TestClients.FOOD_SHELF_A, taskB)).isNotEmpty();

		// Its own Task, moved through a performer's step, is accepted; a requester's step (cancel) is not.
		Task own = client().read().resource(Task.class).withId(taskA).execute();
		own.setStatus(Task.TaskStatus.CANCELLED).setStatusReason(new CodeableConcept().setText("not ours to cancel"));
		HttpResponse<String> cancel = send(request(taskA).header("Authorization", "Bearer " + tokenFor(TestClients.FOOD_SHELF_A))
				.header("Content-Type", FHIR_JSON).PUT(HttpRequest.BodyPublishers.ofString(json(own))));
		assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(403);
	}

	// ---- tokens that must be refused ----

	@Test
	@org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
	void forgedExpiredFutureMisaddressedAndUnsignedTokensAreRefused(org.springframework.boot.test.system.CapturedOutput log) {
		RSAKey stranger = TestClients.rsa();
		String audience = baseUrl();
		List<String> tokens = List.of(
				mint(TestClients.SERVER_KEY, claims(audience, -600, -1200)),            // expired ten minutes ago
				mint(TestClients.SERVER_KEY, claims(audience, 3600, 600)),              // not valid for ten minutes
				mint(TestClients.SERVER_KEY, claims("https://other.example.org/fhir", 600, 0)), // another server's
				mint(stranger, claims(audience, 600, 0)),                              // signed by someone else
				new PlainJWT(claims(audience, 600, 0)).serialize(),                    // alg: none
				"not-a-token");
		for (String token : tokens) {
			HttpResponse<String> refused = send(request(referralA).header("Authorization", "Bearer " + token).GET());
			assertThat(refused.statusCode()).as(token + " " + refused.body()).isEqualTo(401);
			assertThat(refused.body()).contains("OperationOutcome").doesNotContain(token);
		}
		// A token minted the same way but in order is accepted: the refusals above are for what they say.
		String valid = mint(TestClients.SERVER_KEY, claims(audience, 600, 0));
		HttpResponse<String> good = send(request(referralA).header("Authorization", "Bearer " + valid).GET());
		assertThat(good.statusCode()).as(good.body()).isEqualTo(200);
		// Neither the tokens nor the patient data appear in the server's log.
		for (String token : tokens) {
			assertThat(log.getAll()).doesNotContain(token.length() > 40 ? token.substring(token.length() - 40) : "Bearer " + token);
		}
		assertThat(log.getAll()).doesNotContain(valid.substring(valid.length() - 40));
	}

	@Test
	void aReplayedOrForeignClientAssertionIsRefused() {
		String endpoint = origin() + "/oauth2/token";
		String assertion = TestClients.assertion(endpoint, TestClients.EHR, TestClients.key(TestClients.EHR));
		assertThat(TestClients.requestToken(origin(), assertion, "system/Patient.rs").statusCode()).isEqualTo(200);
		assertThat(TestClients.requestToken(origin(), assertion, "system/Patient.rs").statusCode()).isEqualTo(401);
		String foreign = TestClients.assertion(endpoint, TestClients.EHR, TestClients.rsa());
		assertThat(TestClients.requestToken(origin(), foreign, "system/Patient.rs").statusCode()).isEqualTo(401);
		String elsewhere = TestClients.assertion("https://other.example.org/token", TestClients.EHR, TestClients.key(TestClients.EHR));
		assertThat(TestClients.requestToken(origin(), elsewhere, "system/Patient.rs").statusCode()).isEqualTo(401);
		String unknown = TestClients.assertion(endpoint, "nobody", TestClients.key(TestClients.EHR));
		assertThat(TestClients.requestToken(origin(), unknown, "system/Patient.rs").statusCode()).isEqualTo(401);
	}

	// ---- the attack table ----

	/** One hostile request: who sends it, what, the status it must get, and what its audit record names. */
	private record Attack(String name, String client, HttpRequest.Builder request, int status) {}

	@Test
	void hostileRequestsAreRefusedAuditedAndChangeNothing() {
		String nested = "{\"resourceType\":\"Patient\",\"extension\":" + "[{\"url\":\"http://x\",\"extension\":".repeat(3000)
				+ "[]" + "}]".repeat(3000) + "}";
		String xxe = "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
				+ "<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"&x;\"/></name></Patient>";
		Task own = parse(Task.class, get(taskA).body());
		own.setStatus(Task.TaskStatus.CANCELLED).setStatusReason(new CodeableConcept().setText("the performer cannot cancel"));
		List<Attack> attacks = List.of(
				new Attack("cross-organization read", TestClients.FOOD_SHELF_A, request(referralB).GET(), 403),
				new Attack("include of a patient without consent", TestClients.FOOD_SHELF_A,
						request("Task?_id=" + id(taskWithoutConsent) + "&_include=Task:patient").GET(), 403),
				new Attack("history of another's referral", TestClients.FOOD_SHELF_A, request(referralB + "/_history").GET(), 403),
				new Attack("transition by the wrong party", TestClients.FOOD_SHELF_A, request(taskA).header("Content-Type", FHIR_JSON)
						.PUT(HttpRequest.BodyPublishers.ofString(json(own))), 403),
				new Attack("a clinical write with a directory reader's token", TestClients.MEMBER_SERVICES, request("Patient")
						.header("Content-Type", FHIR_JSON).POST(HttpRequest.BodyPublishers.ofString(json(patient("Mallory")))), 403),
				new Attack("deeply nested body", TestClients.EHR, request("Patient").header("Content-Type", FHIR_JSON)
						.POST(HttpRequest.BodyPublishers.ofString(nested)), 400),
				new Attack("XML external entity", TestClients.EHR, request("Patient").header("Content-Type", "application/fhir+xml")
						.POST(HttpRequest.BodyPublishers.ofString(xxe)), 400),
				new Attack("unbounded include", TestClients.EHR, request("Task?_include=*").GET(), 400),
				new Attack("deep chain", TestClients.EHR, request("Task?focus:ServiceRequest.subject:Patient.organization.name=x").GET(), 400));
		int patientsBefore = parse(Bundle.class, get("Patient?_summary=count").body()).getTotal();
		for (Attack attack : attacks) {
			String marker = "attack-" + UUID.randomUUID();
			HttpResponse<String> response = send(attack.request().header("Authorization", "Bearer " + tokenFor(attack.client()))
					.header("X-Request-ID", marker));
			assertThat(response.statusCode()).as(attack.name() + ": " + response.body()).isEqualTo(attack.status());
			assertThat(response.body()).as(attack.name()).contains("OperationOutcome").doesNotContain("Bravo", "root:");
			List<AuditEvent> refusals = audit("AuditEvent?altid=" + attack.client() + "&outcome=4&_count=5");
			assertThat(refusals).as(attack.name() + " is audited").isNotEmpty();
			assertThat(refusals.get(0).getOutcomeDesc()).as(attack.name()).startsWith(String.valueOf(attack.status()));
		}
		assertThat(parse(Bundle.class, get("Patient?_summary=count").body()).getTotal()).isEqualTo(patientsBefore);
		assertThat(parse(Task.class, get(taskA).body()).getStatus()).isEqualTo(Task.TaskStatus.REQUESTED);
	}

	@Test
	void searchParameterInjectionIsJustAValue() {
		String injection = java.net.URLEncoder.encode("x') OR 1=1; DROP TABLE hfj_resource; --", java.nio.charset.StandardCharsets.UTF_8);
		HttpResponse<String> response = get("Patient?family=" + injection + "&_total=accurate");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(parse(Bundle.class, response.body()).getTotal()).isZero();
		assertThat(get(patientA).statusCode()).isEqualTo(200);
	}

	// ---- the audit trail ----

	@Test
	void readsAreAuditedAndTheTrailCanBeSearchedButNeverChanged() {
		assertThat(get(patientA).statusCode()).isEqualTo(200);
		List<AuditEvent> events = audit("AuditEvent?entity=" + patientA + "&altid=" + TestClients.EHR);
		assertThat(events).isNotEmpty();
		AuditEvent event = events.get(0);
		assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("read");
		assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
		assertThat(event.getAgentFirstRep().getAltId()).isEqualTo(TestClients.EHR);

		String id = event.getIdElement().getIdPart();
		String admin = "Bearer " + tokenFor(TestClients.ADMIN);
		assertThat(send(request("AuditEvent/" + id).header("Authorization", admin).DELETE()).statusCode()).isIn(403, 405);
		assertThat(send(request("AuditEvent/" + id).header("Authorization", admin).header("Content-Type", FHIR_JSON)
				.PUT(HttpRequest.BodyPublishers.ofString(json(event)))).statusCode()).isIn(403, 405);
		assertThat(send(request("AuditEvent").header("Authorization", admin).header("Content-Type", FHIR_JSON)
				.POST(HttpRequest.BodyPublishers.ofString(json(event)))).statusCode()).isIn(403, 405);
		assertThat(audit("AuditEvent/" + id + "?_format=json").isEmpty()).isFalse();
		// Only the operator searches the trail.
		assertThat(get("AuditEvent").statusCode()).isEqualTo(403);
	}

	// ---- hardening ----

	@Test
	void unboundedIncludesAndDeepChainsAreRefused() {
		for (String path : List.of("Task?_include=*", "Task?_include=Task:*",
				"Task?_include=Task:focus&_include=Task:patient&_include=Task:owner&_include=Task:requester&_include=Task:based-on",
				"Task?_include:iterate=Task:focus&_include:iterate=ServiceRequest:subject",
				"Task?focus:ServiceRequest.subject:Patient.organization.name=x")) {
			HttpResponse<String> refused = get(path);
			assertThat(refused.statusCode()).as(path + " " + refused.body()).isEqualTo(400);
			assertThat(refused.body()).contains("OperationOutcome");
		}
	}

	// ---- helpers ----

	private HttpResponse<String> anonymous(String path) {
		return send(request(path).header(ANONYMOUS, "1").GET());
	}

	private Bundle as(String client, String query) {
		HttpResponse<String> response = send(request(query).header("Authorization", "Bearer " + tokenFor(client)).GET());
		assertThat(response.statusCode()).as(query + " " + response.body()).isEqualTo(200);
		return parse(Bundle.class, response.body());
	}

	private List<AuditEvent> audit(String query) {
		HttpResponse<String> response = send(request(query).header("Authorization", "Bearer " + tokenFor(TestClients.ADMIN)).GET());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		if (response.body().contains("\"resourceType\":\"AuditEvent\"") && !response.body().contains("\"Bundle\"")) {
			return List.of(parse(AuditEvent.class, response.body()));
		}
		return parse(Bundle.class, response.body()).getEntry().stream().map(e -> (AuditEvent) e.getResource()).toList();
	}

	private List<AuditEvent> auditedRefusals(String client, String entity) {
		return audit("AuditEvent?altid=" + client + "&entity=" + entity + "&outcome=4");
	}

	private static List<String> ids(Bundle bundle) {
		return bundle.getEntry().stream().filter(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH)
				.map(e -> e.getResource().getIdElement().toUnqualifiedVersionless().getValue()).toList();
	}

	private static String id(String reference) {
		return reference.substring(reference.indexOf('/') + 1);
	}

	private JWTClaimsSet claims(String audience, int expiresInSeconds, int notBeforeInSeconds) {
		Instant now = Instant.now();
		return new JWTClaimsSet.Builder().issuer(origin()).subject(TestClients.EHR).audience(audience)
				.claim("client_id", TestClients.EHR).claim("role", "ehr").claim("scope", "system/*.cruds")
				.expirationTime(Date.from(now.plusSeconds(expiresInSeconds))).notBeforeTime(Date.from(now.plusSeconds(notBeforeInSeconds)))
				.issueTime(Date.from(now.plusSeconds(Math.min(0, notBeforeInSeconds)))).jwtID(UUID.randomUUID().toString()).build();
	}

	private static String mint(RSAKey key, JWTClaimsSet claims) {
		try {
			SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
			jwt.sign(new RSASSASigner(key));
			return jwt.serialize();
		} catch (com.nimbusds.jose.JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	private String create(Resource resource) {
		HttpResponse<String> response = post(resource.fhirType(), FHIR_JSON, json(resource));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return resource.fhirType() + "/" + new org.hl7.fhir.r4.model.IdType(response.headers().firstValue("Location").orElseThrow()).getIdPart();
	}

	private static Organization organization(String id, String name) {
		Organization org = new Organization().setName(name).setActive(true);
		org.setId(id);
		org.addType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/organization-type").setCode("cg");
		return org;
	}

	private static Patient patient(String family) {
		Patient p = new Patient();
		p.addName().setFamily(family).addGiven("Test");
		p.addTelecom().setSystem(org.hl7.fhir.r4.model.ContactPoint.ContactPointSystem.PHONE).setValue("555-0100");
		p.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1980-02-03"));
		p.addIdentifier().setSystem("urn:test:mrn").setValue(UUID.randomUUID().toString());
		return p;
	}

	private static Consent consent(String patient) {
		Consent c = new Consent().setStatus(Consent.ConsentState.ACTIVE);
		c.getScope().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", null));
		c.addCategory().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IDSCL", null));
		c.setPatient(new Reference(patient)).setDateTimeElement(new DateTimeType("2026-11-20T09:00:00Z"));
		c.addOrganization(new Reference(TestClients.ORGANIZATION_A)).addPerformer(new Reference(patient));
		c.getPolicyRule().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/consentpolicycodes", "hipaa-auth", null));
		c.setSource(new org.hl7.fhir.r4.model.Attachment().setContentType("application/pdf").setTitle("Signed consent")
				.setUrl("https://clinic.example.org/consents/" + UUID.randomUUID() + ".pdf"));
		return c;
	}

	private static ServiceRequest referral(String patient, String performer, String consent) {
		ServiceRequest sr = new ServiceRequest();
		sr.setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE).setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
		sr.addCategory().addCoding().setSystem("http://hl7.org/fhir/us/core/CodeSystem/us-core-category").setCode("sdoh");
		sr.getCode().addCoding(new Coding("http://snomed.info/sct", "467771000124109", "Assistance with application for food pantry program"));
		sr.setSubject(new Reference(patient)).addPerformer(new Reference(performer));
		if (consent != null) {
			sr.addSupportingInfo(new Reference(consent));
		}
		return sr;
	}

	private static Task task(String referral, String patient, String owner) {
		Task task = new Task();
		task.setStatus(Task.TaskStatus.REQUESTED).setIntent(Task.TaskIntent.ORDER);
		task.setCode(new CodeableConcept().addCoding(new Coding("http://hl7.org/fhir/CodeSystem/task-code", "fulfill", null)));
		task.setFocus(new Reference(referral)).setFor(new Reference(patient));
		task.setAuthoredOnElement(new DateTimeType("2026-11-20T09:00:00Z")).setRequester(new Reference(CLINIC));
		if (owner != null) {
			task.setOwner(new Reference(owner));
		}
		return task;
	}
}
