package org.equityfhir.api;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.api.MethodOutcome;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.equityfhir.testsupport.TestServerProperties;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.Test;

/**
 * The FHIR REST behaviour EHRs and partners rely on, run against each database (see the *IT
 * subclasses). Every test writes under its own identifier system so tests never see each other's data.
 */
abstract class FhirApiContract extends FhirServerTestBase {

	private final String system = "urn:equity-test:" + UUID.randomUUID();

	private Patient patient(String family) {
		Patient p = new Patient();
		p.addIdentifier().setSystem(system).setValue(family);
		p.addName().setFamily(family).addGiven("Amina");
		return p;
	}

	private Bundle searchBySystem(String type) {
		return client().search().byUrl(type + "?identifier=" + system + "|&_total=accurate")
				.returnBundle(Bundle.class).execute();
	}

	@Test
	void metadataNamesTheServer() {
		HttpResponse<String> response = get("metadata");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				ct -> assertThat(ct).startsWith(FHIR_JSON));
		CapabilityStatement cs = parse(CapabilityStatement.class, response.body());
		assertThat(cs.getFhirVersion().toCode()).isEqualTo("4.0.1");
		assertThat(cs.getSoftware().getName()).isEqualTo("Equity FHIR Server");
		assertThat(cs.getSoftware().getVersion()).isNotBlank();
		assertThat(cs.getPublisher()).isEqualTo("Equity FHIR Server project");
		assertThat(cs.getRestFirstRep().getResource()).extracting(r -> r.getType()).contains("Patient", "Task");
		assertThat(cs.getRestFirstRep().getResource()).filteredOn(r -> r.getType().equals("Practitioner"))
				.singleElement()
				.satisfies(r -> assertThat(r.getSupportedProfile()).extracting(p -> p.getValue())
						.contains("http://equityfhir.org/fhir/StructureDefinition/equity-practitioner"));
	}

	@Test
	void createReadVreadUpdateHistoryDelete() {
		HttpResponse<String> created = post("Patient", FHIR_JSON, json(patient("Warsame")));
		assertThat(created.statusCode()).isEqualTo(201);
		String location = created.headers().firstValue("Location").orElseThrow();
		assertThat(location).matches(".*/fhir/Patient/[^/]+/_history/1");
		assertThat(created.headers().firstValue("ETag")).contains("W/\"1\"");
		IdType id = new IdType(location).toUnqualifiedVersionless();

		HttpResponse<String> read = get(id.getValue());
		assertThat(read.statusCode()).isEqualTo(200);
		assertThat(read.headers().firstValue("ETag")).contains("W/\"1\"");
		assertThat(parse(Patient.class, read.body()).getNameFirstRep().getFamily()).isEqualTo("Warsame");

		Patient changed = patient("Warsame-Ali");
		changed.setId(id.getIdPart());
		HttpResponse<String> updated = put(id.getValue(), json(changed), "W/\"1\"");
		assertThat(updated.statusCode()).isEqualTo(200);
		assertThat(updated.headers().firstValue("ETag")).contains("W/\"2\"");

		Patient v1 = parse(Patient.class, get(id.getValue() + "/_history/1").body());
		assertThat(v1.getNameFirstRep().getFamily()).isEqualTo("Warsame");
		assertThat(v1.getMeta().getVersionId()).isEqualTo("1");

		Bundle history = parse(Bundle.class, get(id.getValue() + "/_history").body());
		assertThat(history.getType()).isEqualTo(Bundle.BundleType.HISTORY);
		assertThat(history.getEntry()).hasSize(2);

		HttpResponse<String> deleted = send(request(id.getValue()).DELETE());
		assertThat(deleted.statusCode()).isIn(200, 204);
		assertThat(get(id.getValue()).statusCode()).isEqualTo(410);
		assertThat(get(id.getValue() + "/_history/2").statusCode()).isEqualTo(200);
	}

	@Test
	void searchPagesThroughEveryMatch() {
		List<String> createdIds = new ArrayList<>();
		for (int i = 0; i < 7; i++) {
			MethodOutcome outcome = client().create().resource(patient("Page" + i)).execute();
			createdIds.add(outcome.getId().toUnqualifiedVersionless().getValue());
		}
		Bundle page = client().search().byUrl("Patient?identifier=" + system + "|&_count=3&_sort=_id")
				.returnBundle(Bundle.class).execute();
		List<String> seen = new ArrayList<>();
		List<Integer> pageSizes = new ArrayList<>();
		while (page != null) {
			pageSizes.add(page.getEntry().size());
			page.getEntry().forEach(e -> seen.add(e.getResource().getIdElement().toUnqualifiedVersionless().getValue()));
			page = page.getLink(Bundle.LINK_NEXT) == null ? null : client().loadPage().next(page).execute();
		}
		assertThat(pageSizes).containsExactly(3, 3, 1);
		assertThat(seen).containsExactlyInAnyOrderElementsOf(createdIds);
	}

	@Test
	void countIsCappedAtTheConfiguredMaximum() {
		Bundle batch = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (int i = 0; i < TestServerProperties.MAX_PAGE_SIZE + 3; i++) {
			batch.addEntry().setResource(patient("Cap" + i)).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
		}
		client().transaction().withBundle(batch).execute();
		Bundle page = client().search().byUrl("Patient?identifier=" + system + "|&_count=500")
				.returnBundle(Bundle.class).execute();
		assertThat(page.getEntry()).hasSize(TestServerProperties.MAX_PAGE_SIZE);
		assertThat(page.getLink(Bundle.LINK_NEXT)).isNotNull();
	}

	@Test
	void conditionalCreateDoesNotDuplicate() {
		String body = json(patient("Conditional"));
		String condition = "identifier=" + system + "|Conditional";
		HttpResponse<String> first = send(request("Patient").header("Content-Type", FHIR_JSON)
				.header("If-None-Exist", condition).POST(HttpRequest.BodyPublishers.ofString(body)));
		HttpResponse<String> second = send(request("Patient").header("Content-Type", FHIR_JSON)
				.header("If-None-Exist", condition).POST(HttpRequest.BodyPublishers.ofString(body)));
		assertThat(first.statusCode()).isEqualTo(201);
		assertThat(second.statusCode()).isEqualTo(200);
		assertThat(new IdType(second.headers().firstValue("Location").orElseThrow()).toUnqualifiedVersionless())
				.isEqualTo(new IdType(first.headers().firstValue("Location").orElseThrow()).toUnqualifiedVersionless());
		assertThat(searchBySystem("Patient").getTotal()).isEqualTo(1);
	}

	@Test
	void hundredEntryTransactionIsAtomicAndResolvesReferences() {
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (int i = 0; i < 50; i++) {
			String fullUrl = "urn:uuid:" + UUID.randomUUID();
			tx.addEntry().setFullUrl(fullUrl).setResource(patient("Tx" + i))
					.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
			Observation obs = new Observation();
			obs.setStatus(Observation.ObservationStatus.FINAL);
			obs.addIdentifier().setSystem(system).setValue("obs" + i);
			obs.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4"); // heart rate: outside our guide
			obs.setSubject(new Reference(fullUrl));
			tx.addEntry().setResource(obs).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
		}
		Bundle response = client().transaction().withBundle(tx).execute();
		assertThat(response.getEntry()).hasSize(100)
				.allSatisfy(e -> assertThat(e.getResponse().getStatus()).startsWith("201"));
		assertThat(searchBySystem("Patient").getTotal()).isEqualTo(50);
		Bundle observations = searchBySystem("Observation");
		assertThat(observations.getTotal()).isEqualTo(50);
		Observation one = (Observation) observations.getEntryFirstRep().getResource();
		assertThat(one.getSubject().getReference()).startsWith("Patient/");
	}

	@Test
	void transactionWithOneBadEntryChangesNothing() {
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (int i = 0; i < 5; i++) {
			tx.addEntry().setResource(patient("Atomic" + i)).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
		}
		Observation dangling = new Observation();
		dangling.setStatus(Observation.ObservationStatus.FINAL);
		dangling.getCode().setText("refers to nothing");
		dangling.setSubject(new Reference("Patient/does-not-exist-" + UUID.randomUUID()));
		tx.addEntry().setResource(dangling).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");

		HttpResponse<String> response = post("", FHIR_JSON, json(tx));
		assertThat(response.statusCode()).isBetween(400, 499);
		assertThat(parse(OperationOutcome.class, response.body()).getIssueFirstRep().getDiagnostics()).isNotBlank();
		assertThat(searchBySystem("Patient").getTotal()).isZero();
	}

	@Test
	void batchEntriesSucceedOrFailOnTheirOwn() {
		Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
		batch.addEntry().setResource(patient("BatchGood")).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
		batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Patient/no-such-patient-" + UUID.randomUUID());
		Bundle response = client().transaction().withBundle(batch).execute();
		assertThat(response.getEntry().get(0).getResponse().getStatus()).startsWith("201");
		assertThat(response.getEntry().get(1).getResponse().getStatus()).startsWith("404");
		assertThat(searchBySystem("Patient").getTotal()).isEqualTo(1);
	}

	@Test
	void staleIfMatchIsPreconditionFailedAndChangesNothing() {
		IIdType id = client().create().resource(patient("Concurrent")).execute().getId().toUnqualifiedVersionless();
		Patient first = patient("Concurrent-first");
		first.setId(id.getIdPart());
		assertThat(put(id.getValue(), json(first), "W/\"1\"").statusCode()).isEqualTo(200);

		Patient loser = patient("Concurrent-loser");
		loser.setId(id.getIdPart());
		HttpResponse<String> stale = put(id.getValue(), json(loser), "W/\"1\"");
		assertThat(stale.statusCode()).isEqualTo(412);
		assertOperationOutcome(stale, "If-Match", OperationOutcome.IssueType.CONFLICT);
		Patient current = client().read().resource(Patient.class).withId(id).execute();
		assertThat(current.getNameFirstRep().getFamily()).isEqualTo("Concurrent-first");
		assertThat(current.getMeta().getVersionId()).isEqualTo("2");
	}

	@Test
	void malformedJsonIsBadRequest() {
		HttpResponse<String> response = post("Patient", FHIR_JSON, "{\"resourceType\":\"Patient\", \"name\": [");
		assertThat(response.statusCode()).isEqualTo(400);
		assertOperationOutcome(response, "JSON");
	}

	@Test
	void malformedXmlIsBadRequest() {
		HttpResponse<String> response = post("Patient", "application/fhir+xml", "<Patient xmlns=\"http://hl7.org/fhir\"><name>");
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(response.body()).contains("OperationOutcome").doesNotContain("\tat ");
	}

	@Test
	void xmlExternalEntitiesAreNeverResolved() {
		String xxe = "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY xxe SYSTEM \"file:///etc/hostname\">]>"
				+ "<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"&xxe;\"/></name></Patient>";
		HttpResponse<String> response = post("Patient", "application/fhir+xml", xxe);
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(searchBySystem("Patient").getTotal()).isZero();
	}

	@Test
	void unknownResourceTypeIsNotFound() {
		HttpResponse<String> response = get("Starship/1");
		assertThat(response.statusCode()).isEqualTo(404);
		assertOperationOutcome(response, "Starship");
	}

	@Test
	void unsupportedMediaTypeIsRefused() {
		HttpResponse<String> response = post("Patient", "text/plain", "Amina Warsame");
		assertThat(response.statusCode()).isEqualTo(415);
		assertOperationOutcome(response, "text/plain", OperationOutcome.IssueType.NOTSUPPORTED);
	}

	@Test
	void oversizeBodyIsRefusedWith413WhetherDeclaredOrStreamed() {
		String huge = " ".repeat(10 * 1024 * 1024 + 1);
		HttpResponse<String> declared = post("Patient", FHIR_JSON, huge);
		assertThat(declared.statusCode()).isEqualTo(413);
		assertOperationOutcome(declared, "limit", OperationOutcome.IssueType.TOOLONG);

		byte[] bytes = huge.getBytes();
		HttpResponse<String> streamed = send(request("Patient").header("Content-Type", FHIR_JSON)
				.POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes))));
		assertThat(streamed.statusCode()).isEqualTo(413);
	}

	@Test
	void validateOperationAnswersWithoutStoring() {
		Patient p = patient("Validated");
		p.setGender(null);
		HttpResponse<String> response = post("Patient/$validate", FHIR_JSON, json(p));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(parse(OperationOutcome.class, response.body()).getIssue()).isNotEmpty();
		assertThat(searchBySystem("Patient").getTotal()).isZero();
	}

	private void assertOperationOutcome(
			HttpResponse<String> response, String diagnosticsMention, OperationOutcome.IssueType code) {
		assertOperationOutcome(response, diagnosticsMention);
		assertThat(parse(OperationOutcome.class, response.body()).getIssueFirstRep().getCode()).isEqualTo(code);
	}

	private void assertOperationOutcome(HttpResponse<String> response, String diagnosticsMention) {
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				ct -> assertThat(ct).startsWith(FHIR_JSON));
		OperationOutcome oo = parse(OperationOutcome.class, response.body());
		assertThat(oo.getIssueFirstRep().getSeverity()).isIn(
				OperationOutcome.IssueSeverity.ERROR, OperationOutcome.IssueSeverity.FATAL);
		assertThat(oo.getIssueFirstRep().getDiagnostics()).contains(diagnosticsMention);
		assertThat(response.body()).doesNotContain("\tat ", "Exception:");
	}
}
