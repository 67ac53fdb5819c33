package org.equityfhir.bench;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scenarios of bench/benchmark.sh (issue 16), one per Gatling run, chosen with {@code -Dscenario}: Gatling's
 * own summary of a run is then the figures of exactly one scenario. Requests that only prepare a measured one
 * (the Patient a read reads, the referral a transition moves) are {@code silent()}: sent, checked, not counted.
 *
 * <p>Settings (system properties): base (server origin), token (bearer token; empty: none), scenario, users
 * (concurrent clients, closed model), seconds, and for some scenarios: bundles (a file listing Synthea
 * transaction Bundles, one path per line), screening (an Observation's JSON to create), shelf and clinic
 * (Organization references).
 */
public class Benchmark extends Simulation {

	private static final String BASE = System.getProperty("base", "http://localhost:8080");
	private static final String TOKEN = System.getProperty("token", "");
	private static final String SCENARIO = System.getProperty("scenario", "read-token");
	private static final int USERS = Integer.getInteger("users", 4);
	private static final int SECONDS = Integer.getInteger("seconds", 30);
	private static final String SHELF = System.getProperty("shelf", "Organization/bench-shelf");
	private static final String CLINIC = System.getProperty("clinic", "Organization/bench-clinic");
	private static final String ST_PAUL_10_KM = "44.95|-93.09|10|km";

	/** The directory searches, each a scenario of its own; the same URLs as bench/directory-bench.sh. */
	static final Map<String, String> SEARCHES = Map.of(
			"search-language", "Practitioner?language=urn:ietf:bcp:47|so&_count=20",
			"search-proficiency", "Practitioner?language-proficiency=so$30,so$40,so$50&_count=20",
			"search-competency",
					"Practitioner?cultural-competency:below=http://equityfhir.org/fhir/CodeSystem/cultural-competency|east-african&_count=20",
			"search-distance", "Location?near=" + ST_PAUL_10_KM + "&_count=20",
			"search-chained", "PractitionerRole?practitioner.language=urn:ietf:bcp:47|so&location.near=" + ST_PAUL_10_KM
					+ "&_include=PractitionerRole:practitioner&_count=20",
			"match", "PractitionerRole/$match?language=so&near=" + ST_PAUL_10_KM + "&count=10",
			"worklist", "Task?owner:missing=true&focus:ServiceRequest.performer=%SHELF%&status=requested&_count=20");

	private final HttpProtocolBuilder protocol = withToken(http.baseUrl(BASE + "/fhir")
			.acceptHeader("application/fhir+json")
			.contentTypeHeader("application/fhir+json")
			.disableCaching(), !SCENARIO.equals("read-anonymous")); // every read reaches the server: no 304 from a client cache

	{
		setUp(scenario(SCENARIO).injectOpen(atOnceUsers(USERS))).protocols(protocol)
				.assertions(global().failedRequests().count().is(0L));
	}

	private ScenarioBuilder scenario(String name) {
		ScenarioBuilder scenario = io.gatling.javaapi.core.CoreDsl.scenario(name); // (this method shadows the DSL's)
		return switch (name) {
			case "ingest" -> ingest(scenario);
			case "create" -> loop(scenario, exec(http("create screening Observation").post("/Observation")
					.body(StringBody(s -> ScreeningBody.JSON)).check(status().is(201))));
			case "warmup" -> loop(scenario, exec(createPatient())
					.exec(http("read Patient").get(s -> "/" + s.getString("patient")).check(status().is(200)))
					.exec(http("create screening Observation").post("/Observation").body(StringBody(s -> ScreeningBody.JSON))
							.check(status().is(201)))
					.foreach(List.copyOf(SEARCHES.keySet()), "search").on(exec(http("search")
							.get(s -> searchPath(s.getString("search"))).check(status().is(200)))));
			case "read-token" -> scenario.exec(createPatient().silent()).exec(loopFor(
					exec(http("read Patient").get(s -> "/" + s.getString("patient")).check(status().is(200)))));
			case "read-anonymous" -> scenario.exec(http("find a clinician").get("/Practitioner?_count=1").silent()
							.check(status().is(200), jsonPath("$.entry[0].resource.id").saveAs("practitioner")))
					.exec(loopFor(exec(http("read Practitioner (public directory)")
							.get(s -> "/Practitioner/" + s.getString("practitioner")).check(status().is(200)))));
			case "transition" -> loop(scenario, exec(createPatient().silent())
					.exec(refer().silent())
					.exec(http("accept Task").put(s -> "/" + s.getString("task")).header("If-Match", "W/\"1\"")
							.body(StringBody(s -> task(s.getString("task"), "accepted", s.getString("referral"), s.getString("patient"))))
							.check(status().is(200))));
			case "worklist" -> scenario.exec(createPatient().silent()).exec(refer().silent()).exec(loopFor(
					exec(http(name).get(searchPath(name)).check(status().is(200)))));
			default -> loop(scenario, exec(http(name).get(searchPath(name)).check(status().is(200))));
		};
	}

	/** Each client posts the next Synthea Bundle until none is left: a closed model with {@code users} clients. */
	private static ScenarioBuilder ingest(ScenarioBuilder scenario) {
		List<String> files = lines(System.getProperty("bundles"));
		AtomicInteger next = new AtomicInteger();
		return scenario.asLongAs(s -> next.get() < files.size()).on(
				exec(s -> {
					int i = next.getAndIncrement();
					return i < files.size() ? s.set("bundle", files.get(i)) : s;
				}).doIf(s -> s.contains("bundle")).then(
						exec(http("ingest Synthea Bundle").post("").body(StringBody(s -> read(s.getString("bundle"))))
								.check(status().is(200)))
								.exec(s -> s.remove("bundle"))));
	}

	/** A search scenario's path, encoded, with the food shelf filled in. */
	private static String searchPath(String name) {
		String query = SEARCHES.get(name);
		if (query == null) {
			throw new IllegalArgumentException("unknown scenario " + name);
		}
		return "/" + encode(query.replace("%SHELF%", SHELF));
	}

	private static ScenarioBuilder loop(ScenarioBuilder scenario, ChainBuilder body) {
		return scenario.exec(loopFor(body));
	}

	private static ChainBuilder loopFor(ChainBuilder body) {
		return during(Duration.ofSeconds(SECONDS)).on(body);
	}

	private static HttpRequestActionBuilder createPatient() {
		return http("create Patient").post("/Patient").body(StringBody(s -> patient(UUID.randomUUID().toString())))
				.check(status().is(201), header("Location").transform(Benchmark::versionless).saveAs("patient"));
	}

	private static HttpRequestActionBuilder refer() {
		return http("refer (transaction)").post("").body(StringBody(s -> referral(s.getString("patient"))))
				.check(status().is(200),
						jsonPath("$.entry[0].response.location").transform(Benchmark::versionless).saveAs("referral"),
						jsonPath("$.entry[1].response.location").transform(Benchmark::versionless).saveAs("task"));
	}

	private static HttpProtocolBuilder withToken(HttpProtocolBuilder protocol, boolean send) {
		return send && !TOKEN.isEmpty() ? protocol.header("Authorization", "Bearer " + TOKEN) : protocol;
	}

	/** Encodes what a browser would in a query (the {@code |} and spaces), leaving FHIR's separators. */
	static String encode(String pathAndQuery) {
		int q = pathAndQuery.indexOf('?');
		if (q < 0) {
			return pathAndQuery;
		}
		StringBuilder out = new StringBuilder(pathAndQuery.substring(0, q + 1));
		for (String pair : pathAndQuery.substring(q + 1).split("&")) {
			int eq = pair.indexOf('=');
			if (out.charAt(out.length() - 1) != '?') {
				out.append('&');
			}
			out.append(pair, 0, eq + 1).append(URLEncoder.encode(pair.substring(eq + 1), StandardCharsets.UTF_8)
					.replace("%2C", ",").replace("%24", "$").replace("%3A", ":").replace("%2F", "/"));
		}
		return out.toString();
	}

	/** "http://host/fhir/Patient/12/_history/1" or "Patient/12/_history/1": "Patient/12". */
	static String versionless(String location) {
		return location.replaceAll("^.*?/?([A-Za-z]+/[^/]+)/_history/.*$", "$1");
	}

	private static List<String> lines(String file) {
		if (file == null) {
			throw new IllegalArgumentException("-Dbundles=<file listing the Bundles> is needed for ingest");
		}
		return unchecked(() -> Files.readAllLines(Path.of(file)).stream().filter(l -> !l.isBlank()).toList());
	}

	private static String read(String file) {
		return unchecked(() -> Files.readString(Path.of(file)));
	}

	private static <T> T unchecked(IoSupplier<T> supplier) {
		try {
			return supplier.get();
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private interface IoSupplier<T> {
		T get() throws IOException;
	}

	static String patient(String key) {
		return """
				{"resourceType":"Patient","identifier":[{"system":"urn:equity:bench","value":"%s"}],
				 "name":[{"family":"Bench","given":["Load"]}],"gender":"unknown"}""".formatted(key);
	}

	/** A clinician as our guide profiles them: the guide's own example, without its id (bench/benchmark.sh prepares it). */
	/** A Hunger Vital Sign answer as our guide profiles it (the guide's example for a bench patient, from bench/benchmark.sh). */
	private static final class ScreeningBody {
		static final String JSON = read(System.getProperty("screening", "screening.json"));
	}

	static String referral(String patient) {
		String serviceRequest = """
				{"resourceType":"ServiceRequest","status":"active","intent":"order",
				 "category":[{"coding":[{"system":"http://hl7.org/fhir/us/core/CodeSystem/us-core-category","code":"sdoh"},
				   {"system":"http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes","code":"food-insecurity"}]}],
				 "code":{"coding":[{"system":"http://snomed.info/sct","code":"467771000124109","display":"Assistance with application for food pantry program"}]},
				 "subject":{"reference":"%s"},"requester":{"reference":"%s"},"performer":[{"reference":"%s"}],"authoredOn":"2026-11-20T09:00:00Z"}"""
				.formatted(patient, CLINIC, SHELF);
		String urn = "urn:uuid:" + UUID.randomUUID();
		return """
				{"resourceType":"Bundle","type":"transaction","entry":[
				 {"fullUrl":"%s","resource":%s,"request":{"method":"POST","url":"ServiceRequest"}},
				 {"resource":%s,"request":{"method":"POST","url":"Task"}}]}"""
				.formatted(urn, serviceRequest, task(null, "requested", urn, patient));
	}

	/** A referral Task: owned by nobody while requested (so the shelf's worklist finds it), then by the shelf. */
	static String task(String id, String status, String focus, String patient) {
		String owner = "requested".equals(status) ? "" : ",\"owner\":{\"reference\":\"" + SHELF + "\"}";
		return """
				{"resourceType":"Task",%s"status":"%s","intent":"order",
				 "code":{"coding":[{"system":"http://hl7.org/fhir/CodeSystem/task-code","code":"fulfill"}]},
				 "focus":{"reference":"%s"},"for":{"reference":"%s"},"authoredOn":"2026-11-20T09:00:00Z",
				 "requester":{"reference":"%s"}%s}"""
				.formatted(id == null ? "" : "\"id\":\"" + id.substring(id.indexOf('/') + 1) + "\",", status, focus, patient,
						CLINIC, owner);
	}
}
