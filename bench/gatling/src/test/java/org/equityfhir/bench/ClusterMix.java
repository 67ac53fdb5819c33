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
 * Settings (system properties): base, token, users, seconds, shelf and clinic (Organization references). The
 * resources it sends are {@link Benchmark}'s.
 */
public class ClusterMix extends Simulation {

	private static final String BASE = System.getProperty("base", "http://localhost:8080");
	private static final String TOKEN = System.getProperty("token", "");
	private static final int USERS = Integer.getInteger("users", 6);
	private static final int SECONDS = Integer.getInteger("seconds", 60);

	private final HttpProtocolBuilder protocol = http.baseUrl(BASE + "/fhir")
			.acceptHeader("application/fhir+json")
			.contentTypeHeader("application/fhir+json")
			.header("Authorization", "Bearer " + TOKEN);

	private final ScenarioBuilder mix = scenario("create, search, refer, accept").during(Duration.ofSeconds(SECONDS)).on(
			exec(session -> session.set("key", UUID.randomUUID().toString()))
					.exec(http("create Patient").post("/Patient").body(StringBody(s -> Benchmark.patient(s.getString("key"))))
							.check(status().is(201), header("Location").transform(Benchmark::versionless).saveAs("patient")))
					.exec(http("search Patient").get("/Patient?family=Bench&_count=10").check(status().is(200)))
					.exec(http("refer (transaction)").post("").body(StringBody(s -> Benchmark.referral(s.getString("patient"))))
							.check(status().is(200),
									jsonPath("$.entry[0].response.location").transform(Benchmark::versionless).saveAs("referral"),
									jsonPath("$.entry[1].response.location").transform(Benchmark::versionless).saveAs("task")))
					.exec(http("accept Task").put(s -> "/" + s.getString("task")).header("If-Match", "W/\"1\"")
							.body(StringBody(s -> Benchmark.task(s.getString("task"), "accepted", s.getString("referral"), s.getString("patient"))))
							.check(status().is(200))));

	{
		setUp(mix.injectOpen(atOnceUsers(USERS))).protocols(protocol).assertions(global().failedRequests().count().is(0L));
	}
}
