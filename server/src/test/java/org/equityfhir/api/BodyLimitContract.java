package org.equityfhir.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

/**
 * Body limits that fit real data: a transaction the size of a real patient history (Synthea's reach
 * 16 to 26 MB) is stored, while any other request keeps the tighter 10 MB limit, also when its body
 * arrives gzip-compressed.
 */
abstract class BodyLimitContract extends FhirServerTestBase {

	private static final int TEN_MB = 10 * 1024 * 1024;
	private static final String NOTE =
			"Patient seen for follow-up; vitals stable, no new complaints, plan unchanged. ".repeat(640).strip();

	private final String system = "urn:equity-test:" + UUID.randomUUID();

	/**
	 * Patients and heart-rate Observations (outside the guide's profiles) with a clinical note each, as
	 * EHR exports carry them: about {@code observations} x 50 KB. Observations refer to the Patients by
	 * their transaction-local {@code urn:uuid:} only in a transaction; batch entries stand alone.
	 */
	private Bundle history(Bundle.BundleType type, int patients, int observations) {
		Bundle tx = new Bundle().setType(type);
		String[] patientUrls = new String[patients];
		for (int p = 0; p < patients; p++) {
			patientUrls[p] = "urn:uuid:" + UUID.randomUUID();
			Patient patient = new Patient();
			patient.addIdentifier().setSystem(system).setValue("patient-" + p);
			patient.addName().setFamily("History" + p);
			tx.addEntry().setFullUrl(patientUrls[p]).setResource(patient)
					.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
		}
		for (int o = 0; o < observations; o++) {
			Observation obs = new Observation();
			obs.setStatus(Observation.ObservationStatus.FINAL);
			obs.addIdentifier().setSystem(system).setValue("observation-" + o);
			obs.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4");
			if (type == Bundle.BundleType.TRANSACTION) {
				obs.setSubject(new Reference(patientUrls[o % patients]));
			}
			obs.setValue(new Quantity().setValue(60 + o % 40).setUnit("/min")
					.setSystem("http://unitsofmeasure.org").setCode("/min"));
			obs.addNote(new Annotation().setText(NOTE));
			tx.addEntry().setResource(obs).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
		}
		return tx;
	}

	private int countBySystem(String type) {
		return client().search().byUrl(type + "?identifier=" + system + "|&_summary=count")
				.returnBundle(Bundle.class).execute().getTotal();
	}

	@Test
	void transactionOfTwentyMegabytesIsStored() {
		String body = json(history(Bundle.BundleType.TRANSACTION, 20, 420));
		assertThat(body.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(20 * 1024 * 1024);

		// The server base exactly as FHIR writes it, without a trailing slash.
		HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(baseUrl()))
				.header("Content-Type", FHIR_JSON).POST(HttpRequest.BodyPublishers.ofString(body)));

		assertThat(response.statusCode()).as(response.body().substring(0, Math.min(500, response.body().length())))
				.isEqualTo(200);
		Bundle answer = parse(Bundle.class, response.body());
		assertThat(answer.getEntry()).hasSize(440)
				.allSatisfy(e -> assertThat(e.getResponse().getStatus()).startsWith("201"));
		assertThat(countBySystem("Patient")).isEqualTo(20);
		assertThat(countBySystem("Observation")).isEqualTo(420);
		Observation one = client().read().resource(Observation.class)
				.withId(answer.getEntry().get(20).getResponse().getLocation()).execute();
		assertThat(one.getNoteFirstRep().getText()).isEqualTo(NOTE);
		assertThat(one.getSubject().getReference()).startsWith("Patient/");
	}

	@Test
	void batchAtTheServerBaseWithATrailingSlashHasTheBundleLimit() {
		String body = json(history(Bundle.BundleType.BATCH, 1, 220));
		assertThat(body.length()).isGreaterThan(TEN_MB);

		HttpResponse<String> response = post("", FHIR_JSON, body); // POST /fhir/

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(parse(Bundle.class, response.body()).getEntry()).hasSize(221)
				.allSatisfy(e -> assertThat(e.getResponse().getStatus()).startsWith("201"));
		assertThat(countBySystem("Observation")).isEqualTo(220);
	}

	@Test
	void bundleOverTheRequestLimitElsewhereIsRefused() {
		// Storing a Bundle as a resource (POST /fhir/Bundle) is not a transaction: it keeps the tighter limit.
		String body = json(history(Bundle.BundleType.COLLECTION, 1, 220));
		assertThat(body.length()).isGreaterThan(TEN_MB);

		HttpResponse<String> response = post("Bundle", FHIR_JSON, body);

		assertThat(response.statusCode()).isEqualTo(413);
		assertOutcome(response, OperationOutcome.IssueType.TOOLONG, "10 MB");
		assertThat(countBySystem("Observation")).isZero();
	}

	@Test
	void gzipBodyIsLimitedByItsInflatedSize() {
		byte[] bomb = gzip(" ".repeat(TEN_MB + 1).getBytes(StandardCharsets.US_ASCII));
		assertThat(bomb.length).isLessThan(100 * 1024);

		HttpResponse<String> response = send(request("Patient").header("Content-Type", FHIR_JSON)
				.header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(bomb)));

		assertThat(response.statusCode()).isEqualTo(413);
		assertOutcome(response, OperationOutcome.IssueType.TOOLONG, "10 MB");
	}

	@Test
	void gzipTransactionIsInflatedOnce() {
		byte[] body = gzip(json(history(Bundle.BundleType.TRANSACTION, 2, 3)).getBytes(StandardCharsets.UTF_8));

		HttpResponse<String> response = send(request("").header("Content-Type", FHIR_JSON)
				.header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(body)));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(countBySystem("Observation")).isEqualTo(3);
	}

	@Test
	void bodyDeclaredGzipThatIsNotIsABadRequest() {
		HttpResponse<String> response = send(request("").header("Content-Type", FHIR_JSON)
				.header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofString(json(history(Bundle.BundleType.TRANSACTION, 1, 1)))));

		assertThat(response.statusCode()).isEqualTo(400);
		assertOutcome(response, OperationOutcome.IssueType.INVALID, "gzip");
		assertThat(countBySystem("Patient")).isZero();
	}

	@Test
	void transactionThatIsNotABundleIsABadRequest() {
		HttpResponse<String> response = post("", FHIR_JSON, "{\"resourceType\":\"Patient\"}");

		assertThat(response.statusCode()).isEqualTo(400);
		assertOutcome(response, OperationOutcome.IssueType.STRUCTURE, "Bundle");
	}

	private void assertOutcome(HttpResponse<String> response, OperationOutcome.IssueType code, String mention) {
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith(FHIR_JSON));
		OperationOutcome outcome = parse(OperationOutcome.class, response.body());
		assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(code);
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains(mention);
	}

	private static byte[] gzip(byte[] bytes) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
			gz.write(bytes);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return out.toByteArray();
	}
}
