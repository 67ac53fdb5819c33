package org.equityfhir.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A table of malformed or impossible requests: each gets the 4xx FHIR prescribes, as an
 * OperationOutcome without internals, never a 500.
 */
abstract class BadRequestContract extends FhirServerTestBase {

	private static final String JSON = FHIR_JSON;

	static Stream<Arguments> badRequests() {
		return Stream.of(
				Arguments.of("date that is not a date", "GET", "Patient?birthdate=not-a-date", null, null, 400),
				Arguments.of("unknown search parameter", "GET", "Patient?no-such-param=1", null, null, 400),
				Arguments.of("sort on an unknown parameter", "GET", "Patient?_sort=no-such-param", null, null, 400),
				Arguments.of("version that does not exist", "GET", "Patient/no-such-patient/_history/7", null, null, 404),
				Arguments.of("body of another type", "POST", "Patient", JSON, "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"}}", 400),
				Arguments.of("id in body differs from URL", "PUT", "Patient/abc", JSON, "{\"resourceType\":\"Patient\",\"id\":\"xyz\"}", 400),
				Arguments.of("resource that is not FHIR", "POST", "Patient", JSON, "{\"resourceType\":\"Patient\",\"gender\":\"sometimes\"}", 400),
				Arguments.of("collection posted as a transaction", "POST", "", JSON, "{\"resourceType\":\"Bundle\",\"type\":\"collection\"}", 400),
				Arguments.of("transaction entry without request", "POST", "", JSON,
						"{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":{\"resourceType\":\"Patient\"}}]}", 400),
				Arguments.of("JSON that is not an object", "POST", "Patient", JSON, "[1,2,3]", 400),
				Arguments.of("empty body", "POST", "Patient", JSON, "", 400),
				Arguments.of("XML with an entity expansion bomb", "POST", "Patient", "application/fhir+xml",
						"<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
								+ "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
								+ "<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"&c;\"/></name></Patient>", 400));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badRequests")
	void isAClientErrorWithAnOutcome(String what, String method, String path, String contentType, String body, int status) {
		HttpRequest.Builder request = request(path).header("Accept", JSON);
		if (contentType != null) {
			request.header("Content-Type", contentType);
		}
		request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));

		HttpResponse<String> response = send(request);

		assertThat(response.statusCode()).as(what + ": " + response.body()).isEqualTo(status);
		OperationOutcome outcome = parse(OperationOutcome.class, response.body());
		assertThat(outcome.getIssueFirstRep().getDiagnostics()).isNotBlank();
		assertThat(response.body()).doesNotContain("\tat ", "Exception:", "SQL");
	}
}
