package org.equityfhir.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PercentEscapesTest {

	@ParameterizedTest
	@ValueSource(strings = {
		"identifier=http://hl7.org/fhir/sid/us-npi|1234567893",
		"family=Nguy%E1%BB%85n",
		"name=%C3%A9&_count=10",
		"code=http%3A%2F%2Floinc.org%7C8867-4",
		"note=line%0Aline%09tab",
		"value=%25",
		"name=%F0%9F%98%80"})
	void acceptsWhatFhirClientsSend(String query) {
		assertThat(PercentEscapes.problem(query)).isNull();
	}

	@Test
	void noQueryIsNoProblem() {
		assertThat(PercentEscapes.problem(null)).isNull();
		assertThat(PercentEscapes.problem("")).isNull();
	}

	@ParameterizedTest
	@ValueSource(strings = {"name=%zz", "name=%", "name=%4", "name=%4g", "name=a%%20"})
	void refusesMalformedEscapes(String query) {
		assertThat(PercentEscapes.problem(query)).isEqualTo(PercentEscapes.MALFORMED_IN_URL);
	}

	@ParameterizedTest
	@ValueSource(strings = {"name=%e9", "name=caf%E9", "name=%C3", "name=%ED%A0%80", "name=%C0%AF"})
	void refusesEscapesThatAreNotUtf8(String query) {
		assertThat(PercentEscapes.problem(query)).isEqualTo(PercentEscapes.NOT_UTF8);
	}

	@ParameterizedTest
	@ValueSource(strings = {"name=%00", "name=a%01b", "na%1Bme=x", "name=%7F"})
	void refusesControlCharacters(String query) {
		assertThat(PercentEscapes.problem(query)).contains("control character U+00");
	}

	@Test
	void recognisesTheJdkDecoderFailingOnAnEscape() {
		IllegalArgumentException failure = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
				() -> java.net.URLDecoder.decode("%zz", java.nio.charset.StandardCharsets.UTF_8));

		assertThat(PercentEscapes.isDecodingFailure(new RuntimeException(failure))).isTrue();
		assertThat(PercentEscapes.isDecodingFailure(new IllegalArgumentException("something else"))).isFalse();
	}
}
