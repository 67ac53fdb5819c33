package org.equityfhir.insights;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.equityfhir.EquityFhirApplication;
import org.equityfhir.testsupport.PostgresRequired;
import org.equityfhir.testsupport.PostgresTestDatabase;
import org.equityfhir.testsupport.TestClients;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Two whole server instances on one PostgreSQL database, each with the monthly reports on its own timer
 * (every second): last month's reports are stored once, by one of them; and when both are made to run the
 * same month at the same moment, one claims it and the other stands aside.
 */
@ExtendWith(PostgresRequired.class)
class TwoInstancesPostgresIT {

	private static final FhirContext FHIR = FhirContext.forR4Cached();
	private static final List<String> MEASURES = List.of("sdoh-screening-rate", "sdoh-positive-screen-rate", "referral-loop-closure",
			"interpreter-need-met", "network-language-adequacy");

	@Test
	void theMonthlyReportsAreStoredOnceWithTwoInstancesRunning() throws Exception {
		String url = PostgresTestDatabase.create("two-instances");
		try (ConfigurableApplicationContext a = start(url); ConfigurableApplicationContext b = start(url)) {
			JdbcTemplate jdbc = new JdbcTemplate(a.getBean(javax.sql.DataSource.class));
			String lastMonth = YearMonth.now(ZoneOffset.UTC).minusMonths(1).toString();
			Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
			while (jdbc.queryForList("SELECT period FROM eq_insights_report_run WHERE period = ? AND finished_at IS NOT NULL",
					String.class, lastMonth).isEmpty()) {
				assertThat(Instant.now()).as("last month's reports stored within 3 minutes").isBefore(deadline);
				Thread.sleep(500);
			}
			Thread.sleep(3000); // both timers have fired again since: neither may store the month a second time
			for (String measure : MEASURES) {
				assertThat(stored(b, measure + "/" + lastMonth)).as(measure).isEqualTo(1);
			}

			YearMonth raced = YearMonth.of(1999, 7);
			CompletableFuture<Boolean> byA = CompletableFuture.supplyAsync(() -> a.getBean(MonthlyReports.class).run(raced));
			CompletableFuture<Boolean> byB = CompletableFuture.supplyAsync(() -> b.getBean(MonthlyReports.class).run(raced));
			assertThat(List.of(byA.get(), byB.get())).containsExactlyInAnyOrder(true, false);
			for (String measure : MEASURES) {
				assertThat(stored(a, measure + "/" + raced)).as(measure).isEqualTo(1);
			}
		}
	}

	private static ConfigurableApplicationContext start(String url) {
		Map<String, Object> properties = new java.util.HashMap<>(Map.of("server.port", "0",
				"equity.insights.monthly-reports", "true", "equity.insights.monthly-check", "1s",
				"equity.db.url", url, "equity.db.username", PostgresTestDatabase.user(), "equity.db.password", PostgresTestDatabase.password()));
		properties.putAll(java.util.Arrays.stream(TestClients.serverProperties())
				.collect(Collectors.toMap(p -> p.substring(0, p.indexOf('=')), p -> (Object) p.substring(p.indexOf('=') + 1))));
		// as arguments: default properties would lose to application.yml's server.port
		return new SpringApplicationBuilder(EquityFhirApplication.class)
				.run(properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
	}

	private static long stored(ConfigurableApplicationContext instance, String identifier) {
		int port = ((WebServerApplicationContext) instance).getWebServer().getPort();
		FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
		IGenericClient client = FHIR.newRestfulGenericClient("http://localhost:" + port + "/fhir");
		client.registerInterceptor(new ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor(
				TestClients.token("http://localhost:" + port, TestClients.EQUITY_ANALYST)));
		Bundle found = client.search().byUrl("MeasureReport?identifier=" + MonthlyReports.IDENTIFIER_SYSTEM + "|" + identifier)
				.returnBundle(Bundle.class).execute();
		return found.getEntry().size();
	}
}
