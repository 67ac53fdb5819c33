package org.equityfhir.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import java.util.stream.Stream;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests as clients (and scanners) really send them, over a raw socket: FHIR searches with their
 * characters unencoded are answered, and every malformed URL, escape, request line or header gets a 4xx
 * OperationOutcome in FHIR JSON, whichever layer (Tomcat, Spring, HAPI) refuses it: never HTML, never a 5xx.
 */
abstract class MalformedHttpContract extends FhirServerTestBase {

	private static final String CLOSE = " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

	static Stream<Arguments> malformedRequests() {
		return Stream.of(
				Arguments.of("malformed escape in a search", "GET /fhir/Patient?name=%zz" + CLOSE, 400),
				Arguments.of("lone '%' at the end of a search", "GET /fhir/Patient?name=%" + CLOSE, 400),
				Arguments.of("escape that is not UTF-8", "GET /fhir/Patient?name=%e9" + CLOSE, 400),
				Arguments.of("escaped NUL in a search value", "GET /fhir/Patient?name=%00" + CLOSE, 400),
				Arguments.of("escaped NUL in a search parameter name", "GET /fhir/Patient?na%00me=x" + CLOSE, 400),
				Arguments.of("malformed escape in a form search", form("name=%zz"), 400),
				Arguments.of("escaped NUL in a form search", form("name=%00"), 400),
				Arguments.of("malformed escape in the path", "GET /fhir/Patient/%zz" + CLOSE, 400),
				Arguments.of("escape that is not UTF-8 in the path", "GET /fhir/Patient/%e9" + CLOSE, 400),
				Arguments.of("escaped slash in the path", "GET /fhir/Patient%2Fabc" + CLOSE, 400),
				Arguments.of("control character in the URL", "GET /fhir/Patient?name=a\u0001b" + CLOSE, 400),
				Arguments.of("'<' unencoded in a search", "GET /fhir/Patient?name=<b>" + CLOSE, 400),
				Arguments.of("dot segments above the root", "GET /fhir/../../etc/passwd" + CLOSE, 400),
				Arguments.of("escaped dot segments", "GET /fhir/%2e%2e/%2e%2e/etc/passwd" + CLOSE, 400),
				// Refused by Spring Security's HTTP firewall before any path is resolved.
				Arguments.of("dot segments out of /fhir", "GET /fhir/../etc/passwd" + CLOSE, 400),
				Arguments.of("not a request line", "GARBAGE\r\n\r\n", 400),
				Arguments.of("TLS handshake on the plain port", "\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003" + "\u0000".repeat(40), 400),
				Arguments.of("absolute URL of another host", "GET http://elsewhere.example/fhir/metadata" + CLOSE, 400),
				Arguments.of("HTTP version 9.9", "GET /fhir/metadata HTTP/9.9\r\nHost: localhost\r\nConnection: close\r\n\r\n", 400),
				Arguments.of("unknown method", "BREW /fhir/metadata" + CLOSE, 405),
				Arguments.of("no Host header", "GET /fhir/metadata HTTP/1.1\r\nConnection: close\r\n\r\n", 400),
				Arguments.of("header larger than the server accepts",
						"GET /fhir/metadata HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + "a".repeat(24 * 1024)
								+ "\r\nConnection: close\r\n\r\n", 400),
				Arguments.of("URL longer than the server accepts", "GET /fhir/Patient?name=" + "a".repeat(24 * 1024) + CLOSE, 400),
				Arguments.of("header name with a space", "GET /fhir/metadata HTTP/1.1\r\nHost: localhost\r\nBad Header: x\r\nConnection: close\r\n\r\n", 400),
				Arguments.of("Content-Length that is not a number",
						"POST /fhir/Patient HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\nConnection: close\r\n\r\n", 400),
				Arguments.of("unknown Transfer-Encoding",
						"POST /fhir/Patient HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip-ish\r\nConnection: close\r\n\r\n", 400),
				Arguments.of("direct request for Spring's error page", "GET /error" + CLOSE, 404),
				Arguments.of("path outside the FHIR API", "GET /wp-login.php" + CLOSE, 404));
	}

	private static String form(String body) {
		return "POST /fhir/Patient/_search HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
				+ "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body;
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("malformedRequests")
	void isAClientErrorAnsweredWithAnOperationOutcome(String what, String request, int status) {
		RawHttp.Response response = RawHttp.send(port, request);

		assertThat(response.status()).as(what + ": " + response.body()).isEqualTo(status);
		assertThat(response.header("Content-Type")).as(what).startsWith(FHIR_JSON);
		OperationOutcome outcome = parse(OperationOutcome.class, response.body());
		assertThat(outcome.getIssueFirstRep().getCode()).as(what).isNotNull().isNotEqualTo(OperationOutcome.IssueType.NULL);
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).as(what).isNotBlank();
		assertThat(response.body()).as(what).doesNotContain("<html", "\tat ", "Exception", "Tomcat");
	}

	/** The end of a request line and headers, with a bearer token (patient searches need one). */
	private String closeWithToken() {
		return " HTTP/1.1\r\nHost: localhost:" + port + "\r\nAuthorization: Bearer " + tokenFor(actingAs()) + "\r\nConnection: close\r\n\r\n";
	}

	@Test
	void tokenSearchWithARawPipeFindsTheResource() {
		String system = "urn:equity-test:" + UUID.randomUUID();
		Patient patient = new Patient();
		patient.addIdentifier().setSystem(system).setValue("MRN-17");
		client().create().resource(patient).execute();

		RawHttp.Response response = RawHttp.send(port, "GET /fhir/Patient?identifier=" + system + "|MRN-17" + closeWithToken());

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		assertThat(parse(Bundle.class, response.body()).getEntry()).hasSize(1);
	}

	@Test
	void theSpecificationsOwnNpiSearchIsAnswered() {
		RawHttp.Response response = RawHttp.send(port,
				"GET /fhir/Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1234567893" + CLOSE);

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		assertThat(parse(Bundle.class, response.body()).getType()).isEqualTo(Bundle.BundleType.SEARCHSET);
	}

	@Test
	void fhirSearchEscapesAndBracketsAreAnswered() {
		for (String query : new String[] {"name=a\\|b", "name=a\\,b", "name=[x]"}) {
			RawHttp.Response response = RawHttp.send(port, "GET /fhir/Patient?" + query + closeWithToken());
			assertThat(response.status()).as(query + ": " + response.body()).isEqualTo(200);
			assertThat(parse(Bundle.class, response.body()).getType()).isEqualTo(Bundle.BundleType.SEARCHSET);
		}
	}

	@Test
	void utf8EscapesAreSearchedAsSent() {
		String system = "urn:equity-test:" + UUID.randomUUID();
		Patient patient = new Patient();
		patient.addIdentifier().setSystem(system).setValue("x");
		patient.addName().setFamily("Nguyễn");
		client().create().resource(patient).execute();

		RawHttp.Response response = RawHttp.send(port,
				"GET /fhir/Patient?identifier=" + system + "|x&family=Nguy%E1%BB%85n" + closeWithToken());

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		assertThat(parse(Bundle.class, response.body()).getEntry()).hasSize(1);
	}
}
