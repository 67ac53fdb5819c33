package org.equityfhir.insights;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.equityfhir.testsupport.TestClients;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.MeasureReport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The monthly reports: two instances (two job objects with their own identity, on the same database) race
 * for one month and its reports are stored exactly once; a claim abandoned past its lease is taken over, a
 * live one is not; and a stored month equals the report evaluated again for that period.
 */
abstract class MonthlyReportsContract extends FhirServerTestBase {

	@Autowired
	private DataSource dataSource;
	@Autowired
	private EquityReports reports;
	@Autowired
	private DaoRegistry daos;
	@Autowired
	private InsightsProperties properties;
	/** The server's own job, as configured (its audit goes to the real trail). */
	@Autowired
	private MonthlyReports monthly;

	private MonthlyReports instance() {
		return new MonthlyReports(new JdbcTemplate(dataSource), reports, daos, properties, Clock.systemUTC(), what -> {});
	}

	/** A month no other test run has used (the table outlives a run on a reused database). */
	private static YearMonth unusedMonth() {
		return YearMonth.of(1900 + ThreadLocalRandom.current().nextInt(90), 1 + ThreadLocalRandom.current().nextInt(12));
	}

	private Bundle stored(YearMonth month) {
		HttpResponse<String> response = send(request("MeasureReport?_count=50&period=" + month)
				.header("Authorization", "Bearer " + tokenFor(TestClients.EQUITY_ANALYST)).GET());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Bundle found = parse(Bundle.class, response.body());
		found.getEntry().removeIf(e -> ((MeasureReport) e.getResource()).getIdentifier().stream()
				.noneMatch(i -> MonthlyReports.IDENTIFIER_SYSTEM.equals(i.getSystem())));
		return found;
	}

	private long storedFor(YearMonth month, String measure) {
		String identifier = URLEncoder.encode(MonthlyReports.IDENTIFIER_SYSTEM + "|" + measure + "/" + month, StandardCharsets.UTF_8);
		HttpResponse<String> response = send(request("MeasureReport?identifier=" + identifier + "&_summary=count")
				.header("Authorization", "Bearer " + tokenFor(TestClients.EQUITY_ANALYST)).GET());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return parse(Bundle.class, response.body()).getTotal();
	}

	@Test
	void twoInstancesRacingForAMonthStoreItsReportsExactlyOnce() throws Exception {
		YearMonth month = unusedMonth();
		MonthlyReports first = instance();
		MonthlyReports second = instance();
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(2);
		try {
			Callable<Boolean> a = () -> {
				start.await();
				return first.run(month);
			};
			Callable<Boolean> b = () -> {
				start.await();
				return second.run(month);
			};
			Future<Boolean> ranA = pool.submit(a);
			Future<Boolean> ranB = pool.submit(b);
			start.countDown();
			assertThat(List.of(ranA.get(), ranB.get())).as("exactly one instance claims the month").containsExactlyInAnyOrder(true, false);
		} finally {
			pool.shutdownNow();
		}
		for (String measure : List.of("sdoh-screening-rate", "sdoh-positive-screen-rate", "referral-loop-closure", "interpreter-need-met",
				"network-language-adequacy")) {
			assertThat(storedFor(month, measure)).as(measure).isEqualTo(1);
		}
		assertThat(instance().run(month)).as("a finished month is not run again").isFalse();
	}

	@Test
	void aClaimAbandonedPastItsLeaseIsTakenOverAndALiveOneIsNot() {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		YearMonth abandoned = unusedMonth();
		jdbc.update("INSERT INTO eq_insights_report_run (period, claimed_by, claimed_at) VALUES (?,?,?)", abandoned.toString(), "dead-instance",
				Timestamp.from(Instant.now().minus(properties.monthlyLease()).minus(1, ChronoUnit.MINUTES)));
		assertThat(instance().run(abandoned)).isTrue();
		assertThat(storedFor(abandoned, "sdoh-screening-rate")).isEqualTo(1);

		YearMonth live = unusedMonth();
		jdbc.update("INSERT INTO eq_insights_report_run (period, claimed_by, claimed_at) VALUES (?,?,?)", live.toString(), "busy-instance",
				Timestamp.from(Instant.now()));
		assertThat(instance().run(live)).isFalse();
	}

	@Test
	void aStoredMonthIsTheSameReportEvaluatedAgainForThatPeriod() {
		YearMonth month = unusedMonth();
		String day = month.atDay(15) + "T10:00:00Z";
		EquityFixtures tx = new EquityFixtures();
		for (int i = 0; i < 24; i++) {
			String patient = tx.add(EquityFixtures.member("Monthly", "so", "2054-5", null));
			org.hl7.fhir.r4.model.Encounter visit = new org.hl7.fhir.r4.model.Encounter()
					.setStatus(org.hl7.fhir.r4.model.Encounter.EncounterStatus.FINISHED)
					.setClass_(new org.hl7.fhir.r4.model.Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"));
			visit.setSubject(new org.hl7.fhir.r4.model.Reference(patient)).setPeriod(new org.hl7.fhir.r4.model.Period()
					.setStartElement(new org.hl7.fhir.r4.model.DateTimeType(day)).setEndElement(new org.hl7.fhir.r4.model.DateTimeType(day)));
			tx.add(visit);
			if (i < 12) {
				tx.add(EquityMeasuresContract.screening(patient, false, day));
			}
		}
		HttpResponse<String> seeded = post("", FHIR_JSON, json(tx.bundle()));
		assertThat(seeded.statusCode()).as(seeded.body()).isEqualTo(200);

		assertThat(monthly.run(month)).isTrue();
		Bundle back = stored(month);
		assertThat(back.getEntry()).hasSize(5);
		MeasureReport screening = back.getEntry().stream().map(e -> (MeasureReport) e.getResource())
				.filter(r -> r.getMeasure().endsWith("/sdoh-screening-rate")).findFirst().orElseThrow();
		assertThat(screening.getGroupFirstRep().getPopulation()).extracting(p -> p.getCount()).containsExactly(24, 12);
		MeasureReport fresh = reports.evaluate("sdoh-screening-rate", new QualityMeasures.Period(month.atDay(1), month.atEndOfMonth()),
				false, null, false);
		assertThat(fhirContext.newJsonParser().encodeResourceToString(strip(screening.copy())))
				.isEqualTo(fhirContext.newJsonParser().encodeResourceToString(strip(fresh)));

		HttpResponse<String> trail = send(request("AuditEvent?altid=" + InsightsConfig.MONTHLY_JOB.clientId() + "&_count=50")
				.header("Authorization", "Bearer " + tokenFor(TestClients.ADMIN)).GET());
		assertThat(trail.statusCode()).as(trail.body()).isEqualTo(200);
		assertThat(trail.body()).as("the job's evaluation is in the audit trail").contains("monthly equity reports for " + month);
	}

	/** What differs between two evaluations of the same data: when, and the stored copy's id, meta and identifier. */
	private static MeasureReport strip(MeasureReport report) {
		report.setDate(null);
		report.setId((String) null);
		report.setMeta(null);
		report.getIdentifier().clear();
		report.setText(null);
		return report;
	}
}
