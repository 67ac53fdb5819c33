package org.equityfhir.testsupport;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** What an integration test needs to talk to the running server: a FHIR client and raw HTTP. */
public abstract class FhirServerTestBase {

	protected static final String FHIR_JSON = "application/fhir+json";
	/** A header that makes {@link #send} leave the request without a token (it is removed before sending). */
	protected static final String ANONYMOUS = "X-Test-Anonymous";
	private static final HttpClient HTTP =
			HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	@LocalServerPort
	protected int port;

	@Autowired
	protected FhirContext fhirContext;

	protected String baseUrl() {
		return "http://localhost:" + port + "/fhir";
	}

	protected String origin() {
		return "http://localhost:" + port;
	}

	/** The party this test acts as unless it says otherwise: an EHR integration client. */
	protected String actingAs() {
		return TestClients.EHR;
	}

	/** A bearer token for one of the registered test clients. */
	protected String tokenFor(String clientId) {
		return TestClients.token(origin(), clientId);
	}

	/** A FHIR client acting as {@link #actingAs()}. */
	protected IGenericClient client() {
		return clientAs(actingAs());
	}

	/** A FHIR client acting as a registered test client; null: anonymous (the public directory reader). */
	protected IGenericClient clientAs(String clientId) {
		fhirContext.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
		fhirContext.getRestfulClientFactory().setSocketTimeout(120_000);
		IGenericClient client = fhirContext.newRestfulGenericClient(baseUrl());
		if (clientId != null) {
			client.registerInterceptor(new ca.uhn.fhir.rest.client.api.IClientInterceptor() {
				@Override
				public void interceptRequest(ca.uhn.fhir.rest.client.api.IHttpRequest request) {
					request.removeHeaders("Authorization");
					request.addHeader("Authorization", "Bearer " + tokenFor(clientId));
				}

				@Override
				public void interceptResponse(ca.uhn.fhir.rest.client.api.IHttpResponse response) {}
			});
		}
		return client;
	}

	protected String json(IBaseResource resource) {
		return fhirContext.newJsonParser().encodeResourceToString(resource);
	}

	protected <T extends IBaseResource> T parse(Class<T> type, String body) {
		return fhirContext.newJsonParser().parseResource(type, body);
	}

	/** Sends as {@link #actingAs()}, unless the request carries its own Authorization (or {@link #ANONYMOUS}). */
	protected HttpResponse<String> send(HttpRequest.Builder request) {
		HttpRequest built = request.timeout(Duration.ofSeconds(120)).build();
		if (built.headers().firstValue(ANONYMOUS).isPresent()) {
			built = HttpRequest.newBuilder(built, (name, value) -> !name.equalsIgnoreCase(ANONYMOUS)).build();
		} else if (built.headers().firstValue("Authorization").isEmpty()) {
			built = HttpRequest.newBuilder(built, (name, value) -> true)
					.header("Authorization", "Bearer " + tokenFor(actingAs())).build();
		}
		try {
			return HTTP.send(built, HttpResponse.BodyHandlers.ofString());
		} catch (IOException e) {
			throw new IllegalStateException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	protected HttpRequest.Builder request(String pathAndQuery) {
		return HttpRequest.newBuilder(URI.create(baseUrl() + "/" + pathAndQuery));
	}

	protected HttpResponse<String> get(String pathAndQuery) {
		return send(request(pathAndQuery).GET().header("Accept", FHIR_JSON));
	}

	protected HttpResponse<String> post(String pathAndQuery, String contentType, String body) {
		return send(request(pathAndQuery)
				.header("Content-Type", contentType)
				.POST(HttpRequest.BodyPublishers.ofString(body)));
	}

	protected HttpResponse<String> put(String pathAndQuery, String body, String ifMatch) {
		HttpRequest.Builder builder = request(pathAndQuery)
				.header("Content-Type", FHIR_JSON)
				.PUT(HttpRequest.BodyPublishers.ofString(body));
		if (ifMatch != null) {
			builder.header("If-Match", ifMatch);
		}
		return send(builder);
	}
}
