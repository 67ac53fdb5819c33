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
import java.util.List;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Task;
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

	/**
	 * A receiver that is down while the first instance runs, and a restart before it comes back: every
	 * notification still arrives, each delivery id once after de-duplication, in event order.
	 */
	@Test
	void pendingNotificationsSurviveARestart() throws Exception {
		HttpReceiver receiver = new HttpReceiver();
		try {
			receiver.down = true;
			String endpoint = receiver.url();
			try (ConfigurableApplicationContext first = start()) {
				IGenericClient client = client(first);
				Organization shelf = new Organization().setName("Restart Food Shelf").setActive(true);
				shelf.addType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/organization-type").setCode("cg");
				String owner = client.create().resource(shelf).execute().getId().toUnqualifiedVersionless().getValue();
				Subscription subscription = new Subscription().setStatus(Subscription.SubscriptionStatus.REQUESTED)
						.setReason("restart").setCriteria("http://hl7.org/fhir/us/sdoh-clinicalcare/SubscriptionTopic/Task");
				subscription.getCriteriaElement().addExtension(
						"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-filter-criteria",
						new StringType("Task?owner=" + owner));
				subscription.getChannel().setType(Subscription.SubscriptionChannelType.RESTHOOK).setEndpoint(endpoint)
						.setPayload("application/fhir+json");
				client.create().resource(subscription).execute();
				Patient patient = new Patient();
				patient.addName().setFamily("Restart");
				String subject = client.create().resource(patient).execute().getId().toUnqualifiedVersionless().getValue();
				ServiceRequest referral = new ServiceRequest().setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE)
						.setIntent(ServiceRequest.ServiceRequestIntent.ORDER).setSubject(new Reference(subject));
				referral.addCategory().addCoding().setSystem("http://hl7.org/fhir/us/core/CodeSystem/us-core-category").setCode("sdoh");
				referral.getCode().addCoding().setSystem("http://snomed.info/sct").setCode("467771000124109");
				String focus = client.create().resource(referral).execute().getId().toUnqualifiedVersionless().getValue();
				for (int i = 0; i < 3; i++) {
					Task task = new Task().setStatus(Task.TaskStatus.REQUESTED).setIntent(Task.TaskIntent.ORDER);
					task.getCode().addCoding().setSystem("http://hl7.org/fhir/CodeSystem/task-code").setCode("fulfill");
					task.setFor(new Reference(subject)).setOwner(new Reference(owner)).setFocus(new Reference(focus))
							.setRequester(new Reference(owner)).setAuthoredOnElement(new org.hl7.fhir.r4.model.DateTimeType("2026-11-20T09:00:00Z"));
					client.create().resource(task).execute();
				}
				long deadline = System.currentTimeMillis() + 20_000;
				while (receiver.refused.get() < 3 && System.currentTimeMillis() < deadline) {
					Thread.sleep(100);
				}
				assertThat(receiver.refused.get()).as("the first instance tried and failed").isGreaterThanOrEqualTo(1);
				assertThat(receiver.bodies).isEmpty();
			}
			receiver.down = false;
			try (ConfigurableApplicationContext second = start()) {
				long deadline = System.currentTimeMillis() + 60_000;
				while (receiver.deliveryIds().size() < 3 && System.currentTimeMillis() < deadline) {
					Thread.sleep(100);
				}
				assertThat(receiver.deliveryIds()).as("every notification, each once by delivery id").hasSize(3);
				List<String> eventNumbers = receiver.bodies.stream().map(body -> {
					Parameters status = (Parameters) FHIR.newJsonParser().parseResource(Bundle.class, body).getEntryFirstRep().getResource();
					return status.getParameter("notification-event").getPart().stream()
							.filter(p -> p.getName().equals("event-number")).findFirst().orElseThrow().getValue().primitiveValue();
				}).distinct().toList();
				assertThat(eventNumbers).containsExactly("1", "2", "3");
			}
		} finally {
			receiver.server.stop(0);
		}
	}

	/** A loopback HTTP receiver that refuses deliveries while {@code down}. */
	private static final class HttpReceiver {
		final com.sun.net.httpserver.HttpServer server;
		final List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
		final List<String> ids = new java.util.concurrent.CopyOnWriteArrayList<>();
		final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
		volatile boolean down;

		HttpReceiver() throws java.io.IOException {
			server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
			server.createContext("/", exchange -> {
				String body = new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
				if (down) {
					refused.incrementAndGet();
					exchange.sendResponseHeaders(503, -1);
				} else {
					bodies.add(body);
					ids.add(exchange.getRequestHeaders().getFirst("X-Delivery-Id"));
					exchange.sendResponseHeaders(200, -1);
				}
				exchange.close();
			});
			server.start();
		}

		String url() {
			return "http://127.0.0.1:" + server.getAddress().getPort() + "/notify";
		}

		java.util.Set<String> deliveryIds() {
			return new java.util.HashSet<>(ids);
		}
	}

	private ConfigurableApplicationContext start() {
		return new SpringApplicationBuilder(EquityFhirApplication.class)
				.properties(Map.of("server.port", "0", "equity.referral.poll-interval", "200ms",
						"equity.referral.first-backoff", "300ms", "equity.referral.max-backoff", "1s"))
				.properties(databaseProperties())
				.properties(java.util.Arrays.stream(org.equityfhir.testsupport.TestClients.serverProperties())
						.collect(java.util.stream.Collectors.toMap(p -> p.substring(0, p.indexOf('=')), p -> (Object) p.substring(p.indexOf('=') + 1))))
				.run();
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	private static IGenericClient client(ConfigurableApplicationContext context) {
		FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
		IGenericClient client = FHIR.newRestfulGenericClient("http://localhost:" + port(context) + "/fhir");
		// A token from this server (each start signs with a key of its own), as the EHR test client.
		client.registerInterceptor(new ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor(
				org.equityfhir.testsupport.TestClients.token("http://localhost:" + port(context), org.equityfhir.testsupport.TestClients.EHR)));
		return client;
	}

	private static String probe(ConfigurableApplicationContext context, String path) throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient().send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + port(context) + path)).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}
}
