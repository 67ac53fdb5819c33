package org.equityfhir.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Three instances of the packaged jar on a private PostgreSQL, behind HAProxy, run by the operators' own
 * script (bench/cluster.sh), so the tests prove what the script does. One cluster per test JVM, started by
 * the first test that asks and stopped when the run ends; a test that kills an instance brings it back
 * with {@link #up()} before it leaves.
 *
 * <p>As an extension it is the condition for such tests (they need haproxy and PostgreSQL's server
 * binaries; without them they are skipped, except under CI=true), and it hands them the cluster as a
 * parameter of their test or set-up methods.
 */
public final class Cluster implements ExecutionCondition, ParameterResolver {

	public static final int SIZE = 3;
	private static final Path SCRIPT = Path.of("..", "bench", "cluster.sh").toAbsolutePath().normalize();
	private static final Path JAR = Path.of("target", "equity-fhir-server.jar").toAbsolutePath();
	private static final Path DIR = Path.of(System.getProperty("java.io.tmpdir"), "equity-cluster-it");
	private static final int LB_PORT = 18280;
	private static final int BASE_PORT = 18281;
	private static final int DB_PORT = 55433;
	private static Cluster shared;

	/** The extension form: see the class comment. */
	public Cluster() {}

	/** A fresh cluster: whatever an earlier run left is stopped, the private database made anew, three instances up. */
	private static Cluster start() {
		Cluster cluster = new Cluster();
		cluster.run("down");
		cluster.run("db", "down");
		cluster.run("db", "up");
		cluster.up();
		return cluster;
	}

	/** The cluster, started on first use (about two minutes: three instances on a fresh database). */
	public static synchronized Cluster shared(ExtensionContext context) {
		if (shared == null) {
			shared = start();
			Cluster started = shared;
			context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
					.put("equity-cluster", (ExtensionContext.Store.CloseableResource) () -> {
						started.run("down");
						started.run("db", "down");
					});
		}
		return shared;
	}

	@Override
	public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
		return parameter.getParameter().getType() == Cluster.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
		return shared(context);
	}

	@Override
	public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
		List<String> missing = new ArrayList<>();
		if (!onPath("haproxy")) {
			missing.add("haproxy (apt-get install haproxy)");
		}
		if (!Files.isDirectory(Path.of("/usr/lib/postgresql")) && !onPath("initdb")) {
			missing.add("PostgreSQL's server binaries (apt-get install postgresql)");
		}
		if (missing.isEmpty()) {
			return ConditionEvaluationResult.enabled("haproxy and PostgreSQL present");
		}
		String message = "cluster tests need " + String.join(" and ", missing);
		if ("true".equalsIgnoreCase(System.getenv("CI"))) {
			throw new ExtensionConfigurationException("CI=true requires the cluster tests: " + message);
		}
		System.err.println("WARNING: skipping cluster tests: " + message);
		return ConditionEvaluationResult.disabled("SKIPPED: " + message);
	}

	private static boolean onPath(String command) {
		for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
			if (Files.isExecutable(Path.of(dir, command))) {
				return true;
			}
		}
		return Files.isExecutable(Path.of("/usr/sbin", command));
	}

	/** Starts whatever instance is not running and waits until all are ready and in the balancer. */
	public void up() {
		run("up", Integer.toString(SIZE));
	}

	public void kill(int instance) {
		run("kill", Integer.toString(instance));
	}

	public void rollingRestart() {
		run("rolling-restart");
	}

	public void db(String command) {
		run("db", command);
	}

	/** Requests the balancer has in flight at one instance. */
	public int inFlight(int instance) {
		String answer = run("inflight", Integer.toString(instance)).trim();
		return answer.isEmpty() ? 0 : Integer.parseInt(answer);
	}

	public long pid(int instance) {
		return Long.parseLong(run("pid", Integer.toString(instance)).trim());
	}

	/** The balancer's origin, as clients see the cluster (and the origin tokens are issued for). */
	public String origin() {
		return "http://localhost:" + LB_PORT;
	}

	/** One instance directly, past the balancer. */
	public String origin(int instance) {
		return "http://localhost:" + (BASE_PORT + instance - 1);
	}

	/** A connection to the cluster's database. */
	public Connection database() throws SQLException {
		return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + DB_PORT + "/equity", "postgres", "");
	}

	public String log(int instance) {
		try {
			return Files.readString(DIR.resolve("server-" + instance + ".log"), StandardCharsets.UTF_8);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** Runs bench/cluster.sh with this cluster's settings; a failure fails the test with the script's output. */
	public String run(String... args) {
		List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		Map<String, String> env = builder.environment();
		env.put("CLUSTER_DIR", DIR.toString());
		env.put("CLUSTER_LB_PORT", Integer.toString(LB_PORT));
		env.put("CLUSTER_BASE_PORT", Integer.toString(BASE_PORT));
		env.put("CLUSTER_DB_PORT", Integer.toString(DB_PORT));
		env.put("CLUSTER_HEAP", "1g");
		// Test instances start often on 2 shared cores: the client compiler only and one GC thread start them
		// in about half the time; production keeps the JVM's defaults.
		env.put("CLUSTER_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
		env.put("JAR", JAR.toString());
		env.remove("EQUITY_DB_URL");
		// The test clients; no signing key: the instances must share the one the first of them stores.
		env.put("EQUITY_SECURITY_CLIENTS_FILE", TestClients.clientsFile().toString());
		env.put("EQUITY_SECURITY_TOKEN_LIFETIME", "30m");
		env.remove("EQUITY_SECURITY_SIGNING_KEY");
		// Short enough for a test to watch: a lease outlives a delivery's timeout; reports are looked for every 2 s.
		env.put("CLUSTER_SERVER_ARGS", String.join(" ", "--equity.referral.lease=8s", "--equity.referral.delivery-timeout=4s",
				"--equity.referral.poll-interval=500ms", "--equity.referral.first-backoff=1s",
				"--equity.insights.monthly-check=2s", "--equity.db.max-pool-size=8"));
		try {
			Process process = builder.start();
			byte[] output = process.getInputStream().readAllBytes();
			if (!process.waitFor(10, TimeUnit.MINUTES)) {
				process.destroyForcibly();
				throw new IllegalStateException("bench/cluster.sh " + String.join(" ", args) + " did not finish");
			}
			String text = new String(output, StandardCharsets.UTF_8);
			System.out.print(text);
			if (process.exitValue() != 0) {
				throw new IllegalStateException("bench/cluster.sh " + String.join(" ", args) + " failed (" + process.exitValue() + "):\n" + text);
			}
			return text.lines().filter(l -> !l.startsWith("cluster: ")).reduce("", (a, b) -> a + b + "\n");
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}
}
