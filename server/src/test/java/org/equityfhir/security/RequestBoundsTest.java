package org.equityfhir.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The limits every search meets, and the per-client rate limit, on requests as HAPI hands them over. */
class RequestBoundsTest {

	private static SecurityProperties properties(int ratePerMinute) {
		return new SecurityProperties(true, null, null, null, null, Duration.ofMinutes(5), List.of(), ratePerMinute, 4, 2);
	}

	private static SystemRequestDetails search(String... nameValues) {
		SystemRequestDetails request = new SystemRequestDetails();
		Map<String, String[]> parameters = new LinkedHashMap<>();
		for (int i = 0; i < nameValues.length; i += 2) {
			parameters.merge(nameValues[i], new String[] {nameValues[i + 1]}, (a, b) -> {
				String[] both = java.util.Arrays.copyOf(a, a.length + 1);
				both[a.length] = b[0];
				return both;
			});
		}
		request.setParameters(parameters);
		return request;
	}

	@Test
	void searchesWithinTheBoundsPass() {
		RequestBounds bounds = new RequestBounds(properties(0));
		bounds.check(search("_include", "Task:focus", "_include", "Task:patient", "focus:ServiceRequest.performer", "Organization/a",
				"_include:iterate", "ServiceRequest:subject"));
		bounds.check(search("_has:Observation:patient:code", "1234-5"));
	}

	@Test
	void wildcardsTooManyIncludesIteratingAndDeepChainsAreRefused() {
		RequestBounds bounds = new RequestBounds(properties(0));
		assertThatThrownBy(() -> bounds.check(search("_include", "*"))).isInstanceOf(InvalidRequestException.class);
		assertThatThrownBy(() -> bounds.check(search("_revinclude", "Provenance:*"))).isInstanceOf(InvalidRequestException.class);
		assertThatThrownBy(() -> bounds.check(search("_include", "a:b", "_include", "a:c", "_include", "a:d", "_include", "a:e",
				"_revinclude", "b:a"))).hasMessageContaining("at most 4");
		assertThatThrownBy(() -> bounds.check(search("_include:iterate", "a:b", "_include:iterate", "b:c")))
				.hasMessageContaining(":iterate");
		assertThatThrownBy(() -> bounds.check(search("focus:ServiceRequest.subject:Patient.organization.name", "x")))
				.hasMessageContaining("follows 3 references");
		assertThatThrownBy(() -> bounds.check(search("_has:A:x:_has:B:y:_has:C:z:code", "1")))
				.hasMessageContaining("follows 3 references");
	}

	@Test
	void aClientOverItsRateGets429UntilTheNextMinute() {
		MovableClock clock = new MovableClock(java.time.Instant.parse("2026-11-27T10:00:05Z"));
		RequestBounds bounds = new RequestBounds(properties(3), clock);
		for (int i = 0; i < 3; i++) {
			bounds.check(search());
		}
		assertThatThrownBy(() -> bounds.check(search()))
				.isInstanceOfSatisfying(BaseServerResponseException.class, e -> assertThat(e.getStatusCode()).isEqualTo(429));
		clock.now = clock.now.plusSeconds(60);
		bounds.check(search());
	}

	private static final class MovableClock extends java.time.Clock {
		java.time.Instant now;

		MovableClock(java.time.Instant now) {
			this.now = now;
		}

		@Override
		public java.time.ZoneId getZone() {
			return java.time.ZoneOffset.UTC;
		}

		@Override
		public java.time.Clock withZone(java.time.ZoneId zone) {
			return this;
		}

		@Override
		public java.time.Instant instant() {
			return now;
		}
	}
}
