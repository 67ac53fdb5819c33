package org.equityfhir.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.equityfhir.testsupport.PostgresRequired;
import org.equityfhir.testsupport.PostgresTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.w3c.dom.Document;

/**
 * Runs the README's benchmark command, {@code bench/benchmark.sh}, at its smallest size against the jar this
 * build packaged: the harness still builds its data, starts both modes, drives every scenario with Gatling and
 * writes the table and the chart. No timing is asserted, only that every scenario produced figures with no
 * failed request, in both modes.
 */
@ExtendWith(PostgresRequired.class)
class BenchmarkCommandPostgresIT {

	private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
	private static final List<String> SCENARIOS = List.of("ingest Synthea transaction Bundles",
			"create a profiled resource", "directory: language", "directory: language proficiency",
			"directory: cultural competency", "directory: distance", "directory: chained + distance", "PractitionerRole/$match",
			"community-organization worklist", "referral Task transition", "read with a token", "read without a token");

	@Test
	void theSmallestRunProducesEveryScenariosFiguresTheTableAndTheChart() throws Exception {
		Path results = Path.of("target", "benchmark-smallest").toAbsolutePath();
		Path log = Path.of("target", "benchmark-smallest.log").toAbsolutePath();
		ProcessBuilder command = new ProcessBuilder("bench/benchmark.sh", "smallest").directory(ROOT.toFile())
				.redirectErrorStream(true).redirectOutput(log.toFile());
		Map<String, String> env = command.environment();
		env.put("RESULTS", results.toString());
		env.put("JAR", Path.of("target", "equity-fhir-server.jar").toAbsolutePath().toString());
		env.put("PORT", String.valueOf(freePort()));
		env.put("DATA_DB", "equity_bench_data_it_" + ProcessHandle.current().pid());
		env.put("SYNTHEA_OUT", Path.of("target", "benchmark-synthea").toAbsolutePath().toString());
		env.put("EQUITY_TEST_DB_USER", PostgresTestDatabase.user());
		env.put("EQUITY_TEST_DB_PASSWORD", PostgresTestDatabase.password());
		Process run = command.start();
		boolean finished = run.waitFor(20, TimeUnit.MINUTES);
		if (!finished) {
			run.descendants().forEach(ProcessHandle::destroy);
			run.destroy();
		}
		assertThat(finished).as("bench/benchmark.sh smallest finished within 20 minutes (see %s)", log).isTrue();
		assertThat(run.exitValue()).as("exit status; the last lines:\n%s", tail(log)).isZero();

		String table = Files.readString(results.resolve("results.md"));
		for (String scenario : SCENARIOS) {
			Matcher row = Pattern.compile("^\\| " + Pattern.quote(scenario) + "[^|]*\\|(.*)$", Pattern.MULTILINE).matcher(table);
			assertThat(row.find()).as("a row for " + scenario + " in\n" + table).isTrue();
			String[] cells = row.group(1).split("\\|");
			// clients, both rates, rate ratio, both latency triples, p50 ratio, failed
			assertThat(Double.parseDouble(cells[1].trim())).as(scenario + ": baseline rate").isPositive();
			assertThat(Double.parseDouble(cells[2].trim())).as(scenario + ": equity rate").isPositive();
			assertThat(cells[4].trim()).as(scenario + ": baseline p50 / p95 / p99").matches("\\d+ / \\d+ / \\d+");
			assertThat(cells[5].trim()).as(scenario + ": equity p50 / p95 / p99").matches("\\d+ / \\d+ / \\d+");
			assertThat(cells[7].trim()).as(scenario + ": failed requests").isEqualTo("0");
		}
		assertThat(table).contains("| start-up to ready", "| resident memory after start", "| PostgreSQL bytes per 1,000 resources",
				"Command: `bench/benchmark.sh smallest`");

		// Each optimization the script lists has its before/after pair: a row per scenario it names, with figures
		// on both sides and no failed request, and a start-up row. Where a setting turns it off, the setting is a
		// documented one (ConfigurationDocumentationTest binds every README row), so "before" really turns
		// something off: Spring would ignore a misspelt one.
		String script = Files.readString(ROOT.resolve("bench/benchmark.sh"));
		String list = script.substring(script.indexOf("OPTIMIZATIONS=("), script.indexOf("\n)", script.indexOf("OPTIMIZATIONS=(")));
		Matcher optimization = Pattern.compile("^\\s+\"([^|\"]+)\\|([^|]+)\\|([^|]*)\\|([^\"]+)\"$", Pattern.MULTILINE).matcher(list);
		String readme = Files.readString(ROOT.resolve("README.md"));
		int pairs = 0;
		while (optimization.find()) {
			pairs++;
			String off = optimization.group(2);
			if (off.startsWith("--") && off.contains("=")) {
				String setting = off.substring(2, off.indexOf('='));
				assertThat(readme).as("the README documents " + setting).contains("`" + setting + "`");
			}
			Matcher pairRow = Pattern.compile("^\\| [^|]+ \\| `" + Pattern.quote(off) + "` \\| ([^|]+) \\|(.*)$",
					Pattern.MULTILINE).matcher(table);
			int rows = 0;
			boolean startRow = false;
			while (pairRow.find()) {
				String[] cells = pairRow.group(2).split("\\|");
				if (pairRow.group(1).startsWith("start-up to ready")) {
					startRow = true;
					assertThat(cells[0].trim()).as(off + ": before start-up; memory").matches("[\\d.]+ s; \\d+ MB");
					assertThat(cells[1].trim()).as(off + ": after start-up; memory").matches("[\\d.]+ s; \\d+ MB");
					continue;
				}
				rows++;
				// before rate, after rate, rate ratio, both latency triples, p50 ratio, failed
				assertThat(Double.parseDouble(cells[0].trim())).as(off + ", " + pairRow.group(1) + ": before rate").isPositive();
				assertThat(Double.parseDouble(cells[1].trim())).as(off + ", " + pairRow.group(1) + ": after rate").isPositive();
				assertThat(cells[6].trim()).as(off + ", " + pairRow.group(1) + ": failed requests").isEqualTo("0");
			}
			String scenarios = optimization.group(3).trim();
			assertThat(rows).as("before/after rows for " + off + " in\n" + table)
					.isEqualTo(scenarios.isEmpty() ? 0 : scenarios.split(" +").length);
			assertThat(startRow).as("a start-up row for " + off + " in\n" + table).isTrue();
		}
		assertThat(pairs).as("optimizations listed in bench/benchmark.sh").isEqualTo(
				(int) list.lines().filter(l -> l.trim().startsWith("\"")).count());

		Document chart = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(results.resolve("chart.svg").toFile());
		assertThat(chart.getDocumentElement().getTagName()).isEqualTo("svg");
		// four bars per scenario (p95 and p50, baseline and equity), plus the background and the legend's two
		assertThat(chart.getElementsByTagName("rect").getLength()).isEqualTo(SCENARIOS.size() * 4 + 3);
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static String tail(Path log) throws IOException {
		List<String> lines = Files.readAllLines(log);
		return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
	}
}
