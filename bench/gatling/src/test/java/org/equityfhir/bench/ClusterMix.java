package org.equityfhir.bench;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.UUID;

/**
 * The fixed mix of issue 18's throughput table: each virtual user, over and over, creates a Patient, searches
 * Patients, refers the Patient to a food shelf (ServiceRequest and Task in one transaction) and accepts the
 * Task (a workflow transition the server checks). Closed model: {@code users} users for {@code seconds}.
 * Settings (system properties): base, token, users, seconds, shelf and clinic (Organization references).
 */
public class ClusterMix extends Simulation {

	private static final String BASE = System.getProperty("base", "http://localhost:8080");
	private static final String TOKEN = System.getProperty("token", "");
	private static final int USERS = Integer.getInteger("users", 6);
	private static final int SECONDS = Integer.getInteger("seconds", 60);
	private static final String SHELF = System.getProperty("shelf", "Organization/bench-shelf");
	private static final String CLINIC = System.getProperty("clinic", "Organization/bench-clinic");
	private static final String AUTHORED = "2026-11-20T09:00:00Z";

	private final HttpProtocolBuilder protocol = http.baseUrl(BASE + "/fhir")
			.acceptHeader("application/fhir+json")
			.contentTypeHeader("application/fhir+json")
			.header("Authorization", "Bearer " + TOKEN);

	private final ScenarioBuilder mix = scenario("create, search, refer, accept").during(Duration.ofSeconds(SECONDS)).on(
			exec(session -> session.set("key", UUID.randomUUID().toString()))
					.exec(http("create Patient").post("/Patient").body(StringBody(s -> patient(s.getString("key"))))
							.check(status().is(201), header("Location").transform(ClusterMix::versionless).saveAs("patient")))
					.exec(http("search Patient").get("/Patient?family=Mix&_count=10").check(status().is(200)))
					.exec(http("refer (transaction)").post("").body(StringBody(s -> referral(s.getString("patient"))))
							.check(status().is(200),
									jsonPath("$.entry[0].response.location").transform(ClusterMix::versionless).saveAs("referral"),
									jsonPath("$.entry[1].response.location").transform(ClusterMix::versionless).saveAs("task")))
					.exec(http("accept Task").put(s -> "/" + s.getString("task")).header("If-Match", "W/\"1\"")
							.body(StringBody(s -> task(s.getString("task"), "accepted", s.getString("referral"), s.getString("patient"))))
							.check(status().is(200))));

	{
		setUp(mix.injectOpen(atOnceUsers(USERS))).protocols(protocol).assertions(global().failedRequests().count().is(0L));
	}

	/** "http://host/fhir/Patient/12/_history/1" or "Patient/12/_history/1": "Patient/12". */
	static String versionless(String location) {
		return location.replaceAll("^.*?/?([A-Za-z]+/[^/]+)/_history/.*$", "$1");
	}

	static String patient(String key) {
		return """
				{"resourceType":"Patient","identifier":[{"system":"urn:equity:bench:mix","value":"%s"}],
				 "name":[{"family":"Mix","given":["Load"]}],"gender":"unknown"}""".formatted(key);
	}

	static String referral(String patient) {
		String serviceRequest = """
				{"resourceType":"ServiceRequest","status":"active","intent":"order",
				 "category":[{"coding":[{"system":"http://hl7.org/fhir/us/core/CodeSystem/us-core-category","code":"sdoh"},
				   {"system":"http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes","code":"food-insecurity"}]}],
				 "code":{"coding":[{"system":"http://snomed.info/sct","code":"467771000124109","display":"Assistance with application for food pantry program"}]},
				 "subject":{"reference":"%s"},"requester":{"reference":"%s"},"performer":[{"reference":"%s"}],"authoredOn":"%s"}"""
				.formatted(patient, CLINIC, SHELF, AUTHORED);
		String urn = "urn:uuid:" + UUID.randomUUID();
		return """
				{"resourceType":"Bundle","type":"transaction","entry":[
				 {"fullUrl":"%s","resource":%s,"request":{"method":"POST","url":"ServiceRequest"}},
				 {"resource":%s,"request":{"method":"POST","url":"Task"}}]}"""
				.formatted(urn, serviceRequest, task(null, "requested", urn, patient));
	}

	static String task(String id, String status, String focus, String patient) {
		return """
				{"resourceType":"Task",%s"status":"%s","intent":"order",
				 "code":{"coding":[{"system":"http://hl7.org/fhir/CodeSystem/task-code","code":"fulfill"}]},
				 "focus":{"reference":"%s"},"for":{"reference":"%s"},"authoredOn":"%s",
				 "requester":{"reference":"%s"},"owner":{"reference":"%s"}}"""
				.formatted(id == null ? "" : "\"id\":\"" + id.substring(id.indexOf('/') + 1) + "\",", status, focus, patient, AUTHORED,
						CLINIC, SHELF);
	}
}
