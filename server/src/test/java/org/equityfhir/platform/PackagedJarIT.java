package org.equityfhir.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.equityfhir.testsupport.DatabaseInitializers;
import org.junit.jupiter.api.Test;

/**
 * The README's run command works: the packaged jar (built by `package`, before this test runs) starts
 * with nothing but Java, on the embedded database, and serves /fhir/metadata.
 */
class PackagedJarIT {

	private static final Path JAR = Path.of("target", "equity-fhir-server.jar").toAbsolutePath();
	private static final Pattern READY = Pattern.compile("ready at (http://localhost:\\d+/fhir)");

	@Test
	void packagedJarServesMetadata() throws Exception {
		assertThat(JAR).exists();
		Path dataDir = DatabaseInitializers.newDataDir("jar");
		Process server = new ProcessBuilder(
						Path.of(System.getProperty("java.home"), "bin", "java").toString(),
						"-Xmx1g", "-jar", JAR.toString(), "--server.port=0", "--equity.db.data-dir=" + dataDir)
				.redirectErrorStream(true)
				.start();
		try {
			String baseUrl = awaitReady(server, Duration.ofMinutes(4));
			HttpResponse<String> metadata = HttpClient.newHttpClient().send(
					HttpRequest.newBuilder(URI.create(baseUrl + "/metadata")).build(), HttpResponse.BodyHandlers.ofString());
			assertThat(metadata.statusCode()).isEqualTo(200);
			assertThat(metadata.body()).contains("\"CapabilityStatement\"", "Equity FHIR Server");
			assertThat(Files.list(dataDir)).isNotEmpty();
		} finally {
			server.destroy();
			if (!server.waitFor(60, TimeUnit.SECONDS)) {
				server.destroyForcibly();
			}
		}
	}

	/** Reads the server's log until it announces its URL; a process that exits first fails the test. */
	private static String awaitReady(Process server, Duration timeout) throws Exception {
		CompletableFuture<String> url = CompletableFuture.supplyAsync(() -> {
			StringBuilder seen = new StringBuilder();
			// Not closed here: once ready, a daemon thread keeps draining the log so the server never blocks on it.
			BufferedReader log = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
			try {
				String line;
				while ((line = log.readLine()) != null) {
					seen.append(line).append('\n');
					Matcher ready = READY.matcher(line);
					if (ready.find()) {
						Thread drain = new Thread(() -> log.lines().forEach(l -> {}));
						drain.setDaemon(true);
						drain.start();
						return ready.group(1);
					}
				}
			} catch (java.io.IOException e) {
				throw new java.io.UncheckedIOException(e);
			}
			throw new AssertionError("Server exited before it was ready:\n" + tail(seen.toString()));
		});
		return url.get(timeout.toSeconds(), TimeUnit.SECONDS);
	}

	private static String tail(String log) {
		return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
	}
}
