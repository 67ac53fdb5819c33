package org.equityfhir.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.cors.CorsConfiguration;

/** CORS is off unless origins are configured, and then covers the FHIR API only, for those origins. */
class CorsTest {

	private static CorsConfiguration forRequest(List<String> origins, String path) {
		SecurityProperties properties = new SecurityProperties(true, null, null, null, null, Duration.ofMinutes(5), origins, 0, 4, 2);
		MockHttpServletRequest request = new MockHttpServletRequest("OPTIONS", path);
		request.addHeader("Origin", "https://app.example.org");
		return SecurityConfig.cors(properties).getCorsConfiguration(request);
	}

	@Test
	void offByDefault() {
		assertThat(forRequest(List.of(), "/fhir/Practitioner")).isNull();
	}

	@Test
	void configuredOriginsMayCallTheApiWithATokenAndNothingElse() {
		CorsConfiguration cors = forRequest(List.of("https://app.example.org"), "/fhir/Practitioner");
		assertThat(cors.checkOrigin("https://app.example.org")).isEqualTo("https://app.example.org");
		assertThat(cors.checkOrigin("https://evil.example.org")).isNull();
		assertThat(cors.getAllowedHeaders()).contains("Authorization");
		assertThat(forRequest(List.of("https://app.example.org"), "/admin/clients")).isNull();
	}
}
