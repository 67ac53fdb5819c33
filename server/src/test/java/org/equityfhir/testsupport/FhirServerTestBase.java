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
	private static final HttpClient HTTP =
			HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	@LocalServerPort
	protected int port;

	@Autowired
	protected FhirContext fhirContext;

	protected String baseUrl() {
		return "http://localhost:" + port + "/fhir";
	}

	protected IGenericClient client() {
		fhirContext.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
		fhirContext.getRestfulClientFactory().setSocketTimeout(120_000);
		return fhirContext.newRestfulGenericClient(baseUrl());
	}

	protected String json(IBaseResource resource) {
		return fhirContext.newJsonParser().encodeResourceToString(resource);
	}

	protected <T extends IBaseResource> T parse(Class<T> type, String body) {
		return fhirContext.newJsonParser().parseResource(type, body);
	}

	protected HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return HTTP.send(request.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
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
