package org.equityfhir.directory;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A clinician's diversity and health equity form, submitted with Practitioner/[id]/$attest, replaces the
 * attested attributes of the Practitioner and nothing else, with a Provenance, in one transaction; a bad
 * form writes nothing.
 */
abstract class AttestationContract extends FhirServerTestBase {

	/** The directory administrator attests on a clinician's behalf here; a clinician's own attestation is in the role matrix. */
	@Override
	protected String actingAs() {
		return org.equityfhir.testsupport.TestClients.DIRECTORY_ADMIN;
	}

	private static final String NPI = "http://hl7.org/fhir/sid/us-npi";

	@Autowired
	private DaoRegistry daos;

	@Autowired
	private IInterceptorService storageInterceptors;

	private String id;
	private String identifier;

	@BeforeEach
	void clinician() {
		Practitioner p = new Practitioner();
		identifier = UUID.randomUUID().toString();
		p.addIdentifier().setSystem("urn:equity-test:clinician").setValue(identifier);
		p.addName().setFamily("Warsame").addGiven("Ayaan");
		p.addTelecom().setSystem(org.hl7.fhir.r4.model.ContactPoint.ContactPointSystem.PHONE).setValue("+1-651-555-0100");
		p.addQualification().setCode(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v2-0360", "MD", "Doctor of Medicine")));
		p.addCommunication().addCoding().setSystem("urn:ietf:bcp:47").setCode("fr");
		HttpResponse<String> created = post("Practitioner", FHIR_JSON, json(p));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		id = parse(Practitioner.class, created.body()).getIdElement().getIdPart();
	}

	private HttpResponse<String> attest(String practitionerId, QuestionnaireResponse form) {
		return post("Practitioner/" + practitionerId + "/$attest", FHIR_JSON, json(form));
	}

	/** What is stored, read as the system: the directory's masking may hide some of it from REST readers. */
	private Practitioner stored(String version) {
		IdType at = version == null ? new IdType("Practitioner", id) : new IdType("Practitioner", id, version);
		return daos.getResourceDao(Practitioner.class).read(at, new SystemRequestDetails());
	}

	private List<Provenance> provenances() {
		Bundle found = client().search().byUrl("Provenance?target=Practitioner/" + id).returnBundle(Bundle.class).execute();
		return found.getEntry().stream().map(e -> (Provenance) e.getResource()).toList();
	}

	private int storedForms() {
		Bundle found = client().search().byUrl("QuestionnaireResponse?subject=Practitioner/" + id + "&_summary=count")
				.returnBundle(Bundle.class).execute();
		return found.getTotal();
	}

	private static String proficiency(CodeableConcept communication) {
		Extension ext = communication.getExtensionByUrl(Attestation.PROFICIENCY);
		return ((CodeableConcept) ext.getValue()).getCodingFirstRep().getCode();
	}

	private static List<String> competencies(Practitioner p) {
		return p.getExtensionsByUrl(Attestation.COMPETENCY).stream()
				.map(e -> ((CodeableConcept) e.getExtensionByUrl("code").getValue()).getCodingFirstRep().getCode())
				.toList();
	}

	private static Boolean display(Practitioner p, String category) {
		return p.getExtensionsByUrl(Attestation.DISPLAY_CONSENT).stream()
				.filter(e -> category.equals(e.getExtensionByUrl("category").getValueAsPrimitive().getValueAsString()))
				.map(e -> ((org.hl7.fhir.r4.model.BooleanType) e.getExtensionByUrl("display").getValue()).getValue())
				.reduce((a, b) -> { throw new AssertionError("two display choices for " + category); })
				.orElse(null);
	}

	private static String omb(Practitioner p, String url) {
		return ((Coding) p.getExtensionByUrl(url).getExtensionByUrl("ombCategory").getValue()).getCode();
	}

	@Test
	void anAttestationUpdatesTheAttributesAndDisplayChoicesWithAProvenance() {
		QuestionnaireResponse form = AttestationResponses.form("2026-11-20T09:30:00-06:00")
				.language("so", "30").language("en", "50")
				.competency("somali", "lived-experience", "training-completed").competency("refugee-immigrant-health", "certification")
				.race("2054-5").raceDetailed("2060-2").ethnicity("2186-5")
				.display(true, true, true)
				.author("Practitioner/" + id)
				.build();
		HttpResponse<String> response = attest(id, form);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Practitioner returned = parse(Practitioner.class, response.body());
		assertThat(returned.getMeta().getVersionId()).isEqualTo("2");

		Practitioner p = stored(null);
		assertThat(p.getCommunication()).extracting(c -> c.getCodingFirstRep().getCode()).containsExactly("so", "en");
		assertThat(p.getCommunication()).extracting(AttestationContract::proficiency).containsExactly("30", "50");
		assertThat(competencies(p)).containsExactly("somali", "refugee-immigrant-health");
		assertThat(p.getExtensionsByUrl(Attestation.COMPETENCY).get(0).getExtensionsByUrl("evidence")).hasSize(2);
		assertThat(omb(p, Attestation.RACE)).isEqualTo("2054-5");
		assertThat(p.getExtensionByUrl(Attestation.RACE).getExtensionsByUrl("detailed")).hasSize(1);
		assertThat(p.getExtensionByUrl(Attestation.RACE).getExtensionString("text")).isEqualTo("Black or African American, African");
		assertThat(omb(p, Attestation.ETHNICITY)).isEqualTo("2186-5");
		assertThat(display(p, "languages")).isTrue();
		assertThat(display(p, "cultural-competencies")).isTrue();
		assertThat(display(p, "race-ethnicity")).isTrue();
		assertThat(p.getIdentifierFirstRep().getValue()).as("kept").isEqualTo(identifier);
		assertThat(p.getNameFirstRep().getFamily()).isEqualTo("Warsame");
		assertThat(p.getQualificationFirstRep().getCode().getCodingFirstRep().getCode()).isEqualTo("MD");
		assertThat(p.getTelecomFirstRep().getValue()).isEqualTo("+1-651-555-0100");

		List<Provenance> provenances = provenances();
		assertThat(provenances).hasSize(1);
		Provenance provenance = provenances.get(0);
		assertThat(provenance.getTargetFirstRep().getReference()).isEqualTo("Practitioner/" + id + "/_history/2");
		assertThat(provenance.getAgentFirstRep().getWho().getReference()).isEqualTo("Practitioner/" + id);
		assertThat(provenance.getRecordedElement().getValue()).isEqualTo(form.getAuthoredElement().getValue());
		String formId = provenance.getEntityFirstRep().getWhat().getReferenceElement().getIdPart();
		QuestionnaireResponse kept = client().read().resource(QuestionnaireResponse.class).withId(formId).execute();
		assertThat(kept.getQuestionnaire()).isEqualTo(AttestationForm.URL);
		assertThat(kept.getSubject().getReference()).isEqualTo("Practitioner/" + id);
	}

	@Test
	void aLaterAttestationReplacesTheEarlierOneAndHistoryKeepsBoth() {
		HttpResponse<String> first = attest(id, AttestationResponses.form("2026-11-20T09:30:00Z")
				.language("so", "30").competency("somali", "lived-experience")
				.race("2054-5").ethnicity("2186-5").display(true, true, true).build());
		assertThat(first.statusCode()).as(first.body()).isEqualTo(200);

		// The second one comes as Parameters, the operation's other form; prefer not to say, one language.
		Parameters parameters = new Parameters();
		parameters.addParameter().setName("response").setResource(AttestationResponses.form("2026-11-21T10:00:00Z")
				.language("so", "40")
				.race("ASKU").ethnicity("ASKU").display(true, false, false)
				.author("Practitioner/" + id).build());
		HttpResponse<String> second = post("Practitioner/" + id + "/$attest", FHIR_JSON, json(parameters));
		assertThat(second.statusCode()).as(second.body()).isEqualTo(200);

		Practitioner now = stored(null);
		assertThat(now.getMeta().getVersionId()).isEqualTo("3");
		assertThat(now.getCommunication()).extracting(AttestationContract::proficiency).containsExactly("40");
		assertThat(competencies(now)).as("no competency attested the second time").isEmpty();
		assertThat(omb(now, Attestation.RACE)).isEqualTo("ASKU");
		assertThat(now.getExtensionByUrl(Attestation.RACE).getExtensionString("text")).isEqualTo("Prefer not to say");
		assertThat(omb(now, Attestation.ETHNICITY)).isEqualTo("ASKU");
		assertThat(display(now, "cultural-competencies")).isFalse();
		assertThat(display(now, "race-ethnicity")).isFalse();
		assertThat(now.getExtensionsByUrl(Attestation.RACE)).hasSize(1);

		// vread through the API as the public sees it (not as the directory administrator): the history keeps
		// the first attestation and the original record.
		HttpResponse<String> v2 = send(request("Practitioner/" + id + "/_history/2").header(ANONYMOUS, "1").GET());
		assertThat(v2.statusCode()).as(v2.body()).isEqualTo(200);
		Practitioner earlier = parse(Practitioner.class, v2.body());
		assertThat(earlier.getCommunication()).extracting(AttestationContract::proficiency).containsExactly("30");
		assertThat(competencies(stored("2"))).as("the history keeps the first attestation").containsExactly("somali");
		assertThat(competencies(earlier)).as("over the API, an older version is masked by the clinician's current choice")
				.isEmpty();
		HttpResponse<String> v3 = get("Practitioner/" + id + "/_history/3");
		assertThat(v3.statusCode()).as(v3.body()).isEqualTo(200);
		assertThat(parse(Practitioner.class, v3.body()).getCommunication()).extracting(AttestationContract::proficiency).containsExactly("40");
		assertThat(stored("1").getCommunicationFirstRep().getCodingFirstRep().getCode()).isEqualTo("fr");

		assertThat(provenances()).extracting(p -> p.getTargetFirstRep().getReference())
				.containsExactlyInAnyOrder("Practitioner/" + id + "/_history/2", "Practitioner/" + id + "/_history/3");
		assertThat(storedForms()).isEqualTo(2);
	}

	@Test
	void theFormAndTheOperationAreServedByTheirCanonicals() {
		Bundle forms = client().search().byUrl("Questionnaire?url=" + AttestationForm.URL).returnBundle(Bundle.class).execute();
		assertThat(forms.getEntry()).hasSize(1);
		Bundle operations = client().search()
				.byUrl("OperationDefinition?url=http://equityfhir.org/fhir/OperationDefinition/practitioner-attest")
				.returnBundle(Bundle.class).execute();
		assertThat(operations.getEntry()).hasSize(1);
	}

	@Test
	void aBodyThatIsNotAFormIsRefusedWithAnOperationOutcome() {
		HttpResponse<String> response = post("Practitioner/" + id + "/$attest", FHIR_JSON,
				"{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Nobody\"}]}");
		assertThat(response.statusCode()).as(response.body()).isBetween(400, 499);
		assertThat(parse(OperationOutcome.class, response.body()).getIssue()).isNotEmpty();
		assertThat(stored(null).getMeta().getVersionId()).isEqualTo("1");
	}

	@Test
	void anUnknownPractitionerIsNotFound() {
		HttpResponse<String> response = attest("no-such-clinician-" + UUID.randomUUID(),
				AttestationFormTest.complete().build());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
		assertThat(parse(OperationOutcome.class, response.body()).getIssue()).isNotEmpty();
	}

	@Test
	void aFormForAnotherQuestionnaireIsRefusedAndWritesNothing() {
		QuestionnaireResponse other = AttestationFormTest.complete().build();
		other.setQuestionnaire("http://example.org/fhir/Questionnaire/phq-9");
		assertRefusedAt(attest(id, other), "QuestionnaireResponse.questionnaire");
	}

	@Test
	void anInvalidCodeIsRefusedAtItsItemAndWritesNothing() {
		assertRefusedAt(attest(id, AttestationResponses.form("2026-11-20T09:30:00Z").language("so", "30")
						.competency("somali", "word-of-mouth").race("2054-5").ethnicity("2186-5").display(true, true, true).build()),
				"QuestionnaireResponse.item[1].item[1].answer[0].value");
		assertRefusedAt(attest(id, AttestationResponses.form("2026-11-20T09:30:00Z").language("so", "30")
						.race("2054-5").ethnicity("9999-9").display(true, true, true).build()),
				"QuestionnaireResponse.item[2].item[0].answer[0].value");
	}

	@Test
	void missingAnswersAreRefusedAndWriteNothing() {
		assertRefusedAt(attest(id, AttestationResponses.form("2026-11-20T09:30:00Z").language("so", "30")
				.race("2054-5").ethnicity("2186-5").build()), "QuestionnaireResponse");
		QuestionnaireResponse noProficiency = AttestationFormTest.complete().build();
		noProficiency.getItemFirstRep().getItem().remove(1);
		assertRefusedAt(attest(id, noProficiency), "QuestionnaireResponse.item[0]");
	}

	/** Another writer commits a new version of the Practitioner while the attestation's transaction runs. */
	class ConcurrentWriter {
		private final String body;

		ConcurrentWriter(Practitioner changed) {
			this.body = json(changed);
		}

		@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
		public void meanwhile(IBaseResource resource) throws Exception {
			if (resource instanceof QuestionnaireResponse form && ("Practitioner/" + id).equals(form.getSubject().getReference())) {
				HttpResponse<String> other = CompletableFuture.supplyAsync(() -> put("Practitioner/" + id, body, null))
						.get(60, TimeUnit.SECONDS);
				assertThat(other.statusCode()).as(other.body()).isEqualTo(200);
			}
		}
	}

	@Test
	void aConcurrentChangeFailsCleanlyAndIsKept() {
		Practitioner changed = stored(null);
		changed.getNameFirstRep().setFamily("Warsame-Hassan");
		ConcurrentWriter writer = new ConcurrentWriter(changed);
		storageInterceptors.registerInterceptor(writer);
		HttpResponse<String> response;
		try {
			response = attest(id, AttestationFormTest.complete().build());
		} finally {
			storageInterceptors.unregisterInterceptor(writer);
		}
		assertThat(response.statusCode()).as(response.body()).isEqualTo(412);
		assertThat(parse(OperationOutcome.class, response.body()).getIssueFirstRep().getDiagnostics()).contains("nothing was written");
		Practitioner now = stored(null);
		assertThat(now.getMeta().getVersionId()).isEqualTo("2");
		assertThat(now.getNameFirstRep().getFamily()).as("the other change is not lost").isEqualTo("Warsame-Hassan");
		assertThat(now.getCommunicationFirstRep().getCodingFirstRep().getCode()).isEqualTo("fr");
		assertThat(provenances()).isEmpty();
		assertThat(storedForms()).isZero();
	}

	@Test
	void aFormAboutAnotherPractitionerIsRefused() {
		QuestionnaireResponse form = AttestationFormTest.complete().build();
		form.setSubject(new org.hl7.fhir.r4.model.Reference("Practitioner/someone-else"));
		HttpResponse<String> response = attest(id, form);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
		assertThat(parse(OperationOutcome.class, response.body()).getIssueFirstRep().getExpression())
				.extracting(e -> e.getValue()).containsExactly("QuestionnaireResponse.subject");
		assertThat(stored(null).getMeta().getVersionId()).isEqualTo("1");
		assertThat(provenances()).isEmpty();
	}

	private void assertRefusedAt(HttpResponse<String> response, String expression) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("fhir+json"));
		OperationOutcome outcome = parse(OperationOutcome.class, response.body());
		assertThat(outcome.getIssue()).anySatisfy(issue -> {
			assertThat(issue.getExpression()).extracting(e -> e.getValue()).containsExactly(expression);
			assertThat(issue.getDiagnostics()).contains(expression);
		});
		assertThat(stored(null).getMeta().getVersionId()).as("Practitioner unchanged").isEqualTo("1");
		assertThat(provenances()).as("no Provenance").isEmpty();
		assertThat(storedForms()).as("no QuestionnaireResponse").isZero();
	}
}
