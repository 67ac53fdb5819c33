package org.equityfhir.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.CookieManager;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.equityfhir.testsupport.Cluster;
import org.equityfhir.testsupport.TestClients;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.SearchParameter;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cluster survives what operators and machines do to it (issue 18, docs/operations.md): three
 * instances of the packaged jar on one PostgreSQL behind HAProxy, run by bench/cluster.sh. Each test leaves
 * its figures in target/cluster-faults.md. The size is small in the test suite; {@code -Dequity.faults.size=large}
 * sends ten times as much.
 */
@ExtendWith(Cluster.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultsPostgresIT {

	private static final FhirContext FHIR = FhirContext.forR4Cached();
	private static final String FHIR_JSON = "application/fhir+json";
	private static final int SCALE = "large".equals(System.getProperty("equity.faults.size")) ? 10 : 1;
	private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5)).build();
	private static final List<String> FIGURES = new CopyOnWriteArrayList<>();

	/** Where tokens come from: the balancer, the issuer every instance knows. */
	private static volatile String issuer;
	private Cluster cluster;

	@BeforeEach
	void cluster(Cluster cluster) {
		this.cluster = cluster;
		issuer = cluster.origin();
	}

	@AfterAll
	static void writeFigures() throws IOException {
		String text = "# Cluster fault tests (" + (SCALE == 1 ? "small" : "large") + " size, " + Instant.now() + ")\n\n"
				+ String.join("\n", FIGURES) + "\n";
		Files.writeString(Path.of("target", "cluster-faults.md"), text);
		System.out.println(text);
	}

	// ---- tokens and sign-ins ----

	@Test
	@Order(1)
	void aTokenFromAnyInstanceAndASignInSpreadOverInstancesWorkEverywhere() throws Exception {
		cluster.up();
		String token = TestClients.token(cluster.origin(), TestClients.EHR);
		for (int i = 1; i <= Cluster.SIZE; i++) {
			HttpResponse<String> read = send(HttpRequest.newBuilder(URI.create(cluster.origin(i) + "/fhir/Patient?_count=1"))
					.header("Authorization", "Bearer " + token).GET());
			assertThat(read.statusCode()).as("instance %d: %s", i, read.body()).isEqualTo(200);
		}
		try (Connection db = cluster.database(); ResultSet keys = db.createStatement().executeQuery("SELECT count(*) FROM eq_security_key")) {
			keys.next();
			assertThat(keys.getInt(1)).as("one signing key, made by one instance and shared").isEqualTo(1);
		}

		// A person signs in through the balancer: each step may land on another instance.
		String username = "navigator-" + UUID.randomUUID().toString().substring(0, 8);
		String password = "a long password for " + username;
		HttpResponse<String> registered = send(HttpRequest.newBuilder(URI.create(cluster.origin() + "/admin/users"))
				.header("Authorization", "Bearer " + TestClients.token(cluster.origin(), TestClients.ADMIN))
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + username + "\",\"password\":\"" + password
						+ "\",\"role\":\"member-services\"}")));
		assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);

		HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER).build();
		Set<String> servedBy = new LinkedHashSet<>();
		String verifier = UUID.randomUUID() + "-" + UUID.randomUUID();
		String challenge = Base64.getUrlEncoder().withoutPadding()
				.encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
		String redirect = cluster.origin() + "/inbox/";
		HttpResponse<String> authorize = browse(browser, servedBy, HttpRequest.newBuilder(URI.create(cluster.origin()
				+ "/oauth2/authorize?response_type=code&client_id=equity-web&scope=" + encode("user/*.cruds") + "&state=s1"
				+ "&redirect_uri=" + encode(redirect) + "&code_challenge=" + challenge + "&code_challenge_method=S256")).GET());
		assertThat(authorize.statusCode()).isEqualTo(302);
		HttpResponse<String> form = browse(browser, servedBy, HttpRequest.newBuilder(resolve(authorize)).GET());
		assertThat(form.statusCode()).isEqualTo(200);
		Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(form.body());
		assertThat(csrf.find()).as(form.body()).isTrue();
		HttpResponse<String> signedIn = browse(browser, servedBy, HttpRequest.newBuilder(URI.create(cluster.origin() + "/login"))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString("username=" + encode(username) + "&password=" + encode(password)
						+ "&_csrf=" + encode(csrf.group(1)))));
		assertThat(signedIn.statusCode()).as("the sign-in form's session is known to the instance that got the post").isEqualTo(302);
		assertThat(signedIn.headers().firstValue("Location").orElseThrow()).contains("/oauth2/authorize");
		HttpResponse<String> code = browse(browser, servedBy, HttpRequest.newBuilder(resolve(signedIn)).GET());
		assertThat(code.statusCode()).isEqualTo(302);
		String location = code.headers().firstValue("Location").orElseThrow();
		assertThat(location).startsWith(redirect).contains("state=s1");
		String authorizationCode = location.replaceAll(".*[?&]code=([^&]+).*", "$1");
		HttpResponse<String> exchanged = browse(browser, servedBy, HttpRequest.newBuilder(URI.create(cluster.origin() + "/oauth2/token"))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&client_id=equity-web&code="
						+ authorizationCode + "&redirect_uri=" + encode(redirect) + "&code_verifier=" + verifier)));
		assertThat(exchanged.statusCode()).as(exchanged.body()).isEqualTo(200);
		assertThat(exchanged.body()).contains("access_token");
		assertThat(servedBy).as("the sign-in's five steps were answered by several instances").hasSizeGreaterThanOrEqualTo(2);
		FIGURES.add("- Sign-in (authorization code with PKCE) through the balancer: 5 steps answered by instances " + servedBy
				+ "; a token issued by one instance was accepted by all " + Cluster.SIZE + ".");
	}

	// ---- shared caches ----

	@Test
	@Order(2)
	void aSearchParameterStoredOnOneInstanceIsSearchableOnTheOthersWithinSeconds() throws Exception {
		cluster.up();
		String code = "nick" + UUID.randomUUID().toString().substring(0, 8);
		SearchParameter parameter = new SearchParameter().setUrl("http://equityfhir.org/fhir/test/SearchParameter/" + code)
				.setName(code).setStatus(Enumerations.PublicationStatus.ACTIVE).setCode(code)
				.setType(Enumerations.SearchParamType.STRING).setExpression("Patient.name.where(use='nickname').given")
				.setDescription("A test parameter: nicknames");
		parameter.addBase("Patient");
		HttpResponse<String> unknown = fhir("GET", cluster.origin(2), "Patient?" + code + "=Ayan", null, TestClients.EHR);
		assertThat(unknown.statusCode()).as("unknown before it is stored").isEqualTo(400);
		HttpResponse<String> stored = fhir("POST", cluster.origin(1), "SearchParameter",
				FHIR.newJsonParser().encodeResourceToString(parameter), TestClients.ADMIN);
		assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);
		Instant storedAt = Instant.now();
		Map<Integer, Long> searchableAfter = new HashMap<>();
		for (int i = 2; i <= Cluster.SIZE; i++) {
			int instance = i;
			eventually(() -> fhir("GET", cluster.origin(instance), "Patient?" + code + "=Ayan", null, TestClients.EHR).statusCode(),
					status -> status == 200, Duration.ofSeconds(30));
			searchableAfter.put(i, Duration.between(storedAt, Instant.now()).toMillis());
		}
		FIGURES.add("- A SearchParameter stored on instance 1 was searchable on instances 2 and 3 after " + searchableAfter
				+ " ms (HAPI alone refreshes other instances every 60 s; ours look every 2 s).");
	}

	// ---- scheduled work ----

	@Test
	@Order(3)
	void lastMonthsReportsAreStoredOnceThoughEveryInstanceLooksForThem() throws Exception {
		cluster.up();
		String month = YearMonth.now(ZoneOffset.UTC).minusMonths(1).toString();
		Map<String, Integer> stored = eventually(() -> monthlyReports(month), found -> found.size() >= 5, Duration.ofMinutes(2));
		Thread.sleep(6_000); // three more looks by each instance (every 2 s)
		stored = monthlyReports(month);
		assertThat(stored).hasSize(5);
		assertThat(stored.values()).as("each report once: %s", stored).containsOnly(1);
		FIGURES.add("- Monthly reports for " + month + ": " + Cluster.SIZE + " instances looking every 2 s stored each of the "
				+ stored.size() + " reports once.");
	}

	private Map<String, Integer> monthlyReports(String month) {
		Map<String, Integer> counts = new HashMap<>();
		HttpResponse<String> found = fhir("GET", cluster.origin(), "MeasureReport?_count=200", null, TestClients.ADMIN);
		for (Bundle.BundleEntryComponent entry : parse(Bundle.class, found.body()).getEntry()) {
			for (Identifier identifier : ((MeasureReport) entry.getResource()).getIdentifier()) {
				if ("http://equityfhir.org/fhir/monthly-equity-report".equals(identifier.getSystem())
						&& identifier.getValue().endsWith("/" + month)) {
					counts.merge(identifier.getValue(), 1, Integer::sum);
				}
			}
		}
		return counts;
	}

	// ---- kill -9 in the middle of a stream of transactions ----

	@Test
	@Order(6)
	void aTransactionStreamLosesNothingHalfWayWhenAnInstanceIsKilled() throws Exception {
		cluster.up();
		String run = UUID.randomUUID().toString().substring(0, 8);
		int bundles = 30 * SCALE;
		int perBundle = 10;
		Map<Integer, String> outcome = new ConcurrentHashMap<>();
		AtomicInteger answered = new AtomicInteger();
		ExecutorService clients = Executors.newFixedThreadPool(3);
		List<Future<?>> sent = new ArrayList<>();
		for (int k = 0; k < bundles; k++) {
			int bundle = k;
			sent.add(clients.submit(() -> {
				outcome.put(bundle, post(cluster.origin(), patients(run, bundle, perBundle)));
				answered.incrementAndGet();
			}));
		}
		// Kill instance 3 once a third of the stream is answered, at a moment it is in the middle of a request.
		eventually(() -> answered.get() >= bundles / 3, Boolean::booleanValue, Duration.ofMinutes(5));
		eventually(() -> cluster.inFlight(3) > 0, Boolean::booleanValue, Duration.ofSeconds(30));
		cluster.kill(3);
		Instant killed = Instant.now();
		for (Future<?> f : sent) {
			f.get(5, TimeUnit.MINUTES);
		}
		clients.shutdown();

		List<Integer> failed = outcome.entrySet().stream().filter(e -> !e.getValue().equals("200")).map(Map.Entry::getKey).sorted().toList();
		Map<Integer, Integer> storedBefore = new HashMap<>();
		for (int k = 0; k < bundles; k++) {
			int stored = count(run, k);
			storedBefore.put(k, stored);
			assertThat(stored).as("bundle %d (answered %s) is wholly stored or wholly absent", k, outcome.get(k)).isIn(0, perBundle);
			if (outcome.get(k).equals("200")) {
				assertThat(stored).isEqualTo(perBundle);
			}
		}
		assertThat(failed).as("the kill cut at least one transaction in flight").isNotEmpty();
		long committedThoughFailed = failed.stream().filter(k -> storedBefore.get(k) == perBundle).count();
		for (int k : failed) {
			assertThat(post(cluster.origin(), patients(run, k, perBundle))).as("the client's retry of bundle %d", k).isEqualTo("200");
		}
		for (int k = 0; k < bundles; k++) {
			assertThat(count(run, k)).as("bundle %d after the retries", k).isEqualTo(perBundle);
		}
		FIGURES.add("- kill -9 during a transaction stream: " + bundles + " Bundles of " + perBundle + " Patients from 3 clients through the"
				+ " balancer; instance 3 killed at " + killed + " with a request in flight; " + failed.size() + " answered with an error ("
				+ outcome.values().stream().filter(s -> !s.equals("200")).distinct().toList() + "), of which " + committedThoughFailed
				+ " had committed before the kill and " + (failed.size() - committedThoughFailed) + " had stored nothing; no Bundle half"
				+ " stored; every retry (conditional creates) succeeded and nothing was stored twice.");
	}

	private Bundle patients(String run, int bundle, int count) {
		Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (int j = 0; j < count; j++) {
			Patient patient = new Patient();
			String system = "urn:equity:fault:" + run + ":" + bundle;
			patient.addIdentifier().setSystem(system).setValue(Integer.toString(j));
			patient.addName().setFamily("Stream").addGiven("P" + bundle + "-" + j);
			patient.setGender(Enumerations.AdministrativeGender.UNKNOWN);
			transaction.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(patient).getRequest()
					.setMethod(Bundle.HTTPVerb.POST).setUrl("Patient").setIfNoneExist("identifier=" + system + "|" + j);
		}
		return transaction;
	}

	private int count(String run, int bundle) {
		HttpResponse<String> found = fhir("GET", cluster.origin(), "Patient?identifier=urn:equity:fault:" + run + ":" + bundle
				+ "%7C&_summary=count", null, TestClients.EHR);
		assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
		return parse(Bundle.class, found.body()).getTotal();
	}

	// ---- kill -9 the holder of a notification's lease ----

	@Test
	@Order(7)
	void aNotificationWhoseHolderIsKilledBeforeItDeliversIsDeliveredOnceByAnother() throws Exception {
		// Two instances are enough (the previous test killed the third); the killed ones come back at the next up().
		CountDownLatch firstArrived = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		AtomicBoolean holding = new AtomicBoolean(true);
		List<String> acknowledged = new CopyOnWriteArrayList<>();
		HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		receiver.setExecutor(Executors.newCachedThreadPool());
		receiver.createContext("/", exchange -> {
			exchange.getRequestBody().readAllBytes();
			if (holding.getAndSet(false)) {
				// The first delivery hangs: its sender is "about to deliver" when it is killed; never acknowledged.
				firstArrived.countDown();
				try {
					release.await(60, TimeUnit.SECONDS);
				} catch (InterruptedException e) {
					Thread.currentThread().interrupt();
				}
				exchange.close();
				return;
			}
			acknowledged.add(exchange.getRequestHeaders().getFirst("X-Delivery-Id"));
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		receiver.start();
		try {
			String run = UUID.randomUUID().toString().substring(0, 8);
			String shelf = create(new Organization().setName("Lease Food Shelf " + run).setActive(true));
			String clinic = create(new Organization().setName("Lease Clinic " + run).setActive(true));
			Patient p = new Patient();
			p.addIdentifier().setSystem("urn:equity:lease").setValue(run);
			p.addName().setFamily("Lease").addGiven("Hodan");
			p.setGender(Enumerations.AdministrativeGender.FEMALE);
			String patient = create(p);
			Subscription subscription = new Subscription().setStatus(Subscription.SubscriptionStatus.REQUESTED)
					.setReason("lease").setCriteria("Task?owner=" + shelf);
			subscription.getChannel().setType(Subscription.SubscriptionChannelType.RESTHOOK)
					.setEndpoint("http://127.0.0.1:" + receiver.getAddress().getPort() + "/lease-" + run).setPayload(FHIR_JSON);
			create(subscription);
			ServiceRequest referral = new ServiceRequest().setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE)
					.setIntent(ServiceRequest.ServiceRequestIntent.ORDER).setSubject(new Reference(patient));
			referral.getCode().addCoding(new Coding("http://snomed.info/sct", "467771000124109", "Assistance with application for food pantry program"));
			referral.addPerformer(new Reference(shelf));
			String referralId = create(referral);
			Task task = new Task().setStatus(Task.TaskStatus.REQUESTED).setIntent(Task.TaskIntent.ORDER);
			task.setCode(new CodeableConcept().addCoding(new Coding("http://hl7.org/fhir/CodeSystem/task-code", "fulfill", null)));
			task.setFocus(new Reference(referralId)).setFor(new Reference(patient)).setOwner(new Reference(shelf))
					.setRequester(new Reference(clinic))
					.setAuthoredOnElement(new DateTimeType(new java.util.Date()));
			create(task);

			assertThat(firstArrived.await(60, TimeUnit.SECONDS)).as("the notification's first delivery reached the receiver").isTrue();
			String[] held = heldNotification();
			int holder = instanceWithPid(Long.parseLong(held[1].split("-")[1]));
			cluster.kill(holder);
			Instant killed = Instant.now();
			release.countDown();

			eventually(() -> acknowledged.contains(held[0]), Boolean::booleanValue, Duration.ofSeconds(60));
			Duration redelivered = Duration.between(killed, Instant.now());
			Thread.sleep(3_000);
			assertThat(acknowledged).as("delivery %s acknowledged once", held[0]).containsOnlyOnce(held[0]);
			try (Connection db = cluster.database();
					ResultSet row = db.createStatement().executeQuery("SELECT delivered_at, lease_owner FROM eq_notification WHERE id='" + held[0] + "'")) {
				assertThat(row.next()).isTrue();
				assertThat(row.getTimestamp(1)).as("recorded as delivered").isNotNull();
				assertThat(row.getString(2)).isNull();
			}
			FIGURES.add("- kill -9 of the lease holder: instance " + holder + " held notification " + held[0] + " (lease 8 s) and was"
					+ " killed before the receiver answered; another instance delivered it " + redelivered.toMillis() / 100 / 10.0
					+ " s after the kill; the receiver acknowledged that delivery id once.");
		} finally {
			release.countDown();
			receiver.stop(0);
		}
	}

	/** The notification some instance holds a lease on and has not delivered: id and lease owner. */
	private String[] heldNotification() throws Exception {
		return eventually(() -> {
			try (Connection db = cluster.database(); ResultSet row = db.createStatement().executeQuery(
					"SELECT id, lease_owner FROM eq_notification WHERE delivered_at IS NULL AND lease_owner IS NOT NULL")) {
				return row.next() ? new String[] {row.getString(1), row.getString(2)} : null;
			} catch (java.sql.SQLException e) {
				throw new IllegalStateException(e);
			}
		}, held -> held != null, Duration.ofSeconds(30));
	}

	private int instanceWithPid(long pid) {
		for (int i = 1; i <= Cluster.SIZE; i++) {
			if (cluster.pid(i) == pid) {
				return i;
			}
		}
		throw new AssertionError("no instance has pid " + pid);
	}

	// ---- a rolling restart under load ----

	@Test
	@Order(4)
	void aRollingRestartOfThreeInstancesUnderSteadyLoadFailsNoRequest() throws Exception {
		cluster.up();
		Load load = new Load(cluster.origin(), 2);
		Instant started = Instant.now();
		cluster.rollingRestart();
		Duration took = Duration.between(started, Instant.now());
		Thread.sleep(2_000);
		load.stop();
		assertThat(load.failures).as("requests failed during the rolling restart").isEmpty();
		assertThat(load.ok.get()).isGreaterThan(50);
		FIGURES.add("- Rolling restart of " + Cluster.SIZE + " instances (drain, SIGTERM, start, ready, enable; " + took.toSeconds()
				+ " s) under 2 clients of creates, reads and searches (250 ms pause after each three): " + load.ok.get() + " requests answered, " + load.failures.size()
				+ " failed.");
	}

	// ---- PostgreSQL restarted under load ----

	@Test
	@Order(5)
	void whenPostgresIsAwayReadinessSaysDownAndInstancesRecoverOnTheirOwn() throws Exception {
		cluster.up();
		Map<Integer, Long> pids = new HashMap<>();
		for (int i = 1; i <= Cluster.SIZE; i++) {
			pids.put(i, cluster.pid(i));
		}
		Load load = new Load(cluster.origin(), 2);
		Thread.sleep(3_000);
		cluster.db("stop");
		Instant stopped = Instant.now();
		awaitReadinessOnEveryInstance(503, Duration.ofSeconds(30));
		Duration toDown = Duration.between(stopped, Instant.now());
		HttpResponse<String> whileAway = fhir("GET", cluster.origin(1), "Patient?_count=1", null, TestClients.EHR);
		assertThat(whileAway.statusCode()).isEqualTo(503);
		assertThat(parse(OperationOutcome.class, whileAway.body()).getIssueFirstRep().getCode())
				.isEqualTo(OperationOutcome.IssueType.TRANSIENT);
		HttpResponse<String> atTheBalancer = fhir("GET", cluster.origin(), "Patient?_count=1", null, TestClients.EHR);
		assertThat(atTheBalancer.statusCode()).isEqualTo(503);
		assertThat(atTheBalancer.headers().firstValue("Content-Type").orElse("")).startsWith(FHIR_JSON);
		parse(OperationOutcome.class, atTheBalancer.body());
		int failedWhileAway = load.failures.size();

		cluster.db("start");
		Instant back = Instant.now();
		awaitReadinessOnEveryInstance(200, Duration.ofSeconds(60));
		Duration toUp = Duration.between(back, Instant.now());
		Thread.sleep(3_000); // the balancer's two good checks
		load.failures.clear();
		int okBefore = load.ok.get();
		Thread.sleep(5_000);
		load.stop();
		assertThat(load.failures).as("requests after recovery").isEmpty();
		assertThat(load.ok.get()).isGreaterThan(okBefore);
		for (int i = 1; i <= Cluster.SIZE; i++) {
			assertThat(cluster.pid(i)).as("instance %d was not restarted", i).isEqualTo(pids.get(i));
		}
		FIGURES.add("- PostgreSQL stopped under load (2 clients): every instance's readiness said DOWN within " + toDown.toMillis()
				+ " ms; requests meanwhile were answered 503 with an OperationOutcome (" + failedWhileAway + " of them); after"
				+ " PostgreSQL started again all instances were ready within " + toUp.toMillis() + " ms, with no restart of their own,"
				+ " and the load ran without a failure.");
	}

	private void awaitReadinessOnEveryInstance(int status, Duration timeout) throws InterruptedException {
		for (int i = 1; i <= Cluster.SIZE; i++) {
			int instance = i;
			eventually(() -> readiness(instance) == status, Boolean::booleanValue, timeout);
		}
	}

	private int readiness(int instance) {
		try {
			return HTTP.send(HttpRequest.newBuilder(URI.create(cluster.origin(instance) + "/actuator/health/readiness"))
					.timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
		} catch (IOException e) {
			return -1;
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return -1;
		}
	}

	/**
	 * Steady load through the balancer: each client creates a Patient, reads it and searches, then pauses
	 * 250 ms, over and over (about 10 requests a second from two clients; without the pause the clients
	 * saturate this 2-core machine, and an instance then takes minutes to start).
	 */
	private static final class Load {
		final AtomicInteger ok = new AtomicInteger();
		final List<String> failures = new CopyOnWriteArrayList<>();
		private final AtomicBoolean running = new AtomicBoolean(true);
		private final ExecutorService threads;

		Load(String origin, int clients) {
			threads = Executors.newFixedThreadPool(clients);
			for (int c = 0; c < clients; c++) {
				threads.submit(() -> {
					while (running.get()) {
						Patient p = new Patient();
						p.addIdentifier().setSystem("urn:equity:load").setValue(UUID.randomUUID().toString());
						p.addName().setFamily("Load").addGiven("Steady");
						p.setGender(Enumerations.AdministrativeGender.OTHER);
						HttpResponse<String> created = fhir("POST", origin, "Patient", FHIR.newJsonParser().encodeResourceToString(p), TestClients.EHR);
						record("create", created, 201);
						if (created != null && created.statusCode() == 201) {
							String id = created.headers().firstValue("Location").orElse("").replaceAll(".*/Patient/([^/]+).*", "$1");
							record("read", fhir("GET", origin, "Patient/" + id, null, TestClients.EHR), 200);
						}
						record("search", fhir("GET", origin, "Patient?family=Load&_count=5", null, TestClients.EHR), 200);
						try {
							Thread.sleep(250);
						} catch (InterruptedException e) {
							Thread.currentThread().interrupt();
							return;
						}
					}
				});
			}
		}

		private void record(String what, HttpResponse<String> response, int expected) {
			if (response != null && response.statusCode() == expected) {
				ok.incrementAndGet();
			} else {
				failures.add(Instant.now() + " " + what + ": " + (response == null ? "no answer" : response.statusCode() + " "
						+ response.body().substring(0, Math.min(200, response.body().length()))));
			}
		}

		void stop() throws InterruptedException {
			running.set(false);
			threads.shutdown();
			threads.awaitTermination(2, TimeUnit.MINUTES);
		}
	}

	// ---- HTTP ----

	private String create(Resource resource) {
		HttpResponse<String> created = fhir("POST", cluster.origin(), resource.fhirType(), FHIR.newJsonParser().encodeResourceToString(resource),
				TestClients.EHR);
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return resource.fhirType() + "/" + created.headers().firstValue("Location").orElseThrow()
				.replaceAll(".*/" + resource.fhirType() + "/([^/]+).*", "$1");
	}

	/** A transaction's answer: its status, or what went wrong on the way. */
	private String post(String origin, Bundle transaction) {
		HttpResponse<String> response = fhir("POST", origin, "", FHIR.newJsonParser().encodeResourceToString(transaction), TestClients.EHR);
		return response == null ? "no answer" : Integer.toString(response.statusCode());
	}

	/** A FHIR request as a registered client; null when the connection failed. */
	private static HttpResponse<String> fhir(String method, String origin, String path, String body, String clientId) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(origin + "/fhir/" + path)).timeout(Duration.ofSeconds(120))
				.header("Accept", FHIR_JSON).header("Authorization", "Bearer " + TestClients.token(issuer, clientId))
				.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
		if (body != null) {
			request.header("Content-Type", FHIR_JSON);
		}
		try {
			return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
		} catch (IOException e) {
			return null;
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return null;
		}
	}

	private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private static HttpResponse<String> browse(HttpClient browser, Set<String> servedBy, HttpRequest.Builder request) throws Exception {
		HttpResponse<String> response = browser.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
		response.headers().firstValue("X-Served-By").ifPresent(servedBy::add);
		return response;
	}

	private static URI resolve(HttpResponse<String> redirect) {
		return redirect.uri().resolve(redirect.headers().firstValue("Location").orElseThrow());
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static <T extends org.hl7.fhir.instance.model.api.IBaseResource> T parse(Class<T> type, String body) {
		return FHIR.newJsonParser().parseResource(type, body);
	}

	private static <T> T eventually(java.util.function.Supplier<T> value, java.util.function.Predicate<T> done, Duration timeout)
			throws InterruptedException {
		Instant deadline = Instant.now().plus(timeout);
		T current = value.get();
		while (!done.test(current)) {
			if (Instant.now().isAfter(deadline)) {
				throw new AssertionError("not so after " + timeout + ": " + current);
			}
			Thread.sleep(200);
			current = value.get();
		}
		return current;
	}
}
