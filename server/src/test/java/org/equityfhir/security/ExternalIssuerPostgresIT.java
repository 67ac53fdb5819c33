package org.equityfhir.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import externalissuer.ExternalIssuerApp;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.equityfhir.EquityFhirApplication;
import org.equityfhir.testsupport.DatabaseInitializers;
import org.equityfhir.testsupport.TestClients;
import org.equityfhir.testsupport.TestServerProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The external-issuer path: the server configured with EQUITY_SECURITY_ISSUER_URI pointing at a second,
 * in-process issuer (as it would at Keycloak). The same SMART Backend Services client as against the
 * embedded issuer: it finds the token endpoint through our smart-configuration, signs an assertion, gets
 * a token from that issuer and calls our API with it. The embedded issuer's endpoints are then closed,
 * and its tokens are not accepted.
 */
@SpringBootTest(classes = EquityFhirApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = TestServerProperties.COMMON)
@ContextConfiguration(initializers = DatabaseInitializers.Postgres.class)
@org.junit.jupiter.api.extension.ExtendWith(org.equityfhir.testsupport.PostgresRequired.class)
@DirtiesContext
class ExternalIssuerPostgresIT {

	private static final ObjectMapper JSON = new ObjectMapper();
	private static final HttpClient HTTP = HttpClient.newHttpClient();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void issuer(DynamicPropertyRegistry registry) {
		registry.add("equity.security.issuer-uri", ExternalIssuerApp::start);
		registry.add("equity.security.audience", () -> ExternalIssuerApp.AUDIENCE);
	}

	@Test
	void aBackendServicesClientUsesTheExternalIssuerAndOurApiAcceptsItsToken() throws Exception {
		String base = "http://localhost:" + port + "/fhir";
		JsonNode smart = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/.well-known/smart-configuration")).build(),
				HttpResponse.BodyHandlers.ofString()).body());
		String issuer = ExternalIssuerApp.start();
		assertThat(smart.get("issuer").asText()).isEqualTo(issuer);
		String tokenEndpoint = smart.get("token_endpoint").asText();
		assertThat(tokenEndpoint).startsWith(issuer);

		String assertion = TestClients.assertion(tokenEndpoint, ExternalIssuerApp.CLIENT, ExternalIssuerApp.CLIENT_KEY);
		String form = "grant_type=client_credentials&scope=" + URLEncoder.encode("system/ServiceRequest.rs", StandardCharsets.UTF_8)
				+ "&client_id=" + ExternalIssuerApp.CLIENT
				+ "&client_assertion_type=" + URLEncoder.encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", StandardCharsets.UTF_8)
				+ "&client_assertion=" + assertion;
		HttpResponse<String> token = HTTP.send(HttpRequest.newBuilder(URI.create(tokenEndpoint))
				.header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
		String bearer = JSON.readTree(token.body()).get("access_token").asText();

		HttpResponse<String> search = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/ServiceRequest?_count=1"))
				.header("Authorization", "Bearer " + bearer).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
		HttpResponse<String> outOfScope = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/Task?_count=1"))
				.header("Authorization", "Bearer " + bearer).build(), HttpResponse.BodyHandlers.ofString());
		assertThat(outOfScope.statusCode()).as(outOfScope.body()).isEqualTo(403);

		// The embedded issuer is off: no token endpoint here, and a token signed with its key is refused.
		HttpResponse<String> embedded = TestClients.requestToken("http://localhost:" + port,
				TestClients.assertion("http://localhost:" + port + "/oauth2/token", TestClients.EHR, TestClients.key(TestClients.EHR)),
				"system/*.cruds");
		assertThat(embedded.statusCode()).isNotEqualTo(200);
	}
}
