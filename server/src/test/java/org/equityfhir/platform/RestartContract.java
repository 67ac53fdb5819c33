package org.equityfhir.platform;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.equityfhir.EquityFhirApplication;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Data written before a shutdown is there after the next start, and the health probes say so. */
abstract class RestartContract {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	/** Properties pointing a fresh server at a database of its own. */
	abstract Map<String, Object> databaseProperties();

	@Test
	void dataSurvivesARestart() throws Exception {
		IIdType id;
		try (ConfigurableApplicationContext first = start()) {
			assertThat(probe(first, "/actuator/health/readiness")).contains("\"UP\"");
			Patient patient = new Patient();
			patient.addName().setFamily("Yang").addGiven("Mai");
			id = client(first).create().resource(patient).execute().getId().toUnqualifiedVersionless();
		}
		try (ConfigurableApplicationContext second = start()) {
			// The guide was installed by the first start and left alone by the second.
			Bundle profiles = client(second).search()
					.byUrl("StructureDefinition?url=http://equityfhir.org/fhir/StructureDefinition/equity-practitioner")
					.returnBundle(Bundle.class).execute();
			assertThat(profiles.getEntry()).hasSize(1);
			assertThat(profiles.getEntryFirstRep().getResource().getMeta().getVersionId()).isEqualTo("1");
			Patient read = client(second).read().resource(Patient.class).withId(id).execute();
			assertThat(read.getNameFirstRep().getFamily()).isEqualTo("Yang");
			assertThat(probe(second, "/actuator/health/liveness")).contains("\"UP\"");
			assertThat(probe(second, "/actuator/prometheus")).contains("http_server_requests");
		}
	}

	private ConfigurableApplicationContext start() {
		return new SpringApplicationBuilder(EquityFhirApplication.class)
				.properties(Map.of("server.port", "0"))
				.properties(databaseProperties())
				.run();
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	private static IGenericClient client(ConfigurableApplicationContext context) {
		FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
		return FHIR.newRestfulGenericClient("http://localhost:" + port(context) + "/fhir");
	}

	private static String probe(ConfigurableApplicationContext context, String path) throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient().send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + port(context) + path)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}
}
