package org.equityfhir.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.concurrent.ThreadLocalRandom;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

/**
 * Ids as FHIR allows them ([A-Za-z0-9\-\.]{1,64}): a client may PUT any, numeric ones included (US Core's
 * examples use Encounter/1036), and ids the server assigns never collide with them.
 */
abstract class ClientAssignedIdContract extends FhirServerTestBase {

	/** Numeric and unique per run, so that the H2 file database can be reused between runs. */
	private static String numericId() {
		return String.valueOf(ThreadLocalRandom.current().nextLong(1_000_000_000L, Long.MAX_VALUE));
	}

	private static Encounter encounter(String id) {
		Encounter encounter = new Encounter();
		encounter.setId(id);
		encounter.setStatus(Encounter.EncounterStatus.FINISHED);
		encounter.setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"));
		return encounter;
	}

	@Test
	void numericIdCanBePutAndReadBack() {
		String id = numericId();

		HttpResponse<String> created = put("Encounter/" + id, json(encounter(id)), null);

		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		HttpResponse<String> read = get("Encounter/" + id);
		assertThat(read.statusCode()).isEqualTo(200);
		Encounter stored = parse(Encounter.class, read.body());
		assertThat(stored.getIdElement().getIdPart()).isEqualTo(id);
		assertThat(stored.getStatus()).isEqualTo(Encounter.EncounterStatus.FINISHED);

		HttpResponse<String> updated = put("Encounter/" + id, json(encounter(id).setStatus(Encounter.EncounterStatus.CANCELLED)), "W/\"1\"");
		assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
		assertThat(parse(Encounter.class, get("Encounter/" + id).body()).getMeta().getVersionId()).isEqualTo("2");
	}

	@Test
	void usCoreExampleIdIsAccepted() {
		// US Core 7.0.0's Encounter example is Encounter/1036, about Patient/example; a test storing the official
		// examples may have put both first. This one is about the same patient, so in either order neither moves the
		// Encounter to another patient's compartment (which partition mode refuses: docs/operations.md).
		if (get("Patient/example").statusCode() == 404) {
			Patient example = new Patient();
			example.setId("example");
			example.addIdentifier().setSystem("urn:equity-test:client-ids").setValue("example");
			example.addName().setFamily("Example");
			assertThat(put("Patient/example", json(example), null).statusCode()).isEqualTo(201);
		}
		Encounter encounter = encounter("1036");
		encounter.getSubject().setReference("Patient/example");

		HttpResponse<String> response = put("Encounter/1036", json(encounter), null);

		assertThat(response.statusCode()).as(response.body()).isIn(200, 201);
		assertThat(get("Encounter/1036").statusCode()).isEqualTo(200);
	}

	@Test
	void numericIdsWorkInTransactionsAndReferences() {
		String patientId = numericId();
		String encounterId = numericId();
		Patient patient = new Patient();
		patient.setId(patientId);
		patient.addName().setFamily("Okafor");
		Encounter encounter = encounter(encounterId);
		encounter.getSubject().setReference("Patient/" + patientId);
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		tx.addEntry().setResource(patient).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/" + patientId);
		tx.addEntry().setResource(encounter).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Encounter/" + encounterId);

		Bundle response = client().transaction().withBundle(tx).execute();

		assertThat(response.getEntry()).allSatisfy(e -> assertThat(e.getResponse().getStatus()).startsWith("201"));
		Bundle found = client().search().byUrl("Encounter?subject=Patient/" + patientId).returnBundle(Bundle.class).execute();
		assertThat(found.getEntry()).singleElement()
				.satisfies(e -> assertThat(e.getResource().getIdElement().getIdPart()).isEqualTo(encounterId));
	}

	@Test
	void createStillGetsAServerAssignedUuid() {
		Encounter body = encounter("1036");

		HttpResponse<String> created = post("Encounter", FHIR_JSON, json(body));

		assertThat(created.statusCode()).isEqualTo(201);
		String id = new IdType(created.headers().firstValue("Location").orElseThrow()).getIdPart();
		assertThat(id).isNotEqualTo("1036")
				.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
		assertThat(get("Encounter/" + id).statusCode()).isEqualTo(200);
	}
}
