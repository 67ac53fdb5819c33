package org.equityfhir.insights;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.MeasureReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Stores each past month's equity reports as MeasureReports, once across every instance: a month is claimed
 * by inserting its row in {@code eq_insights_report_run} (the primary key lets one instance win); a claim
 * left unfinished past the lease (its instance died) is taken over. The reports themselves are conditional
 * creates on their identifier, so a run repeated after a crash stores nothing twice.
 */
class MonthlyReports implements SmartLifecycle, ApplicationListener<ApplicationReadyEvent> {

	static final String IDENTIFIER_SYSTEM = "http://equityfhir.org/fhir/monthly-equity-report";
	private static final Logger log = LoggerFactory.getLogger(MonthlyReports.class);

	private final JdbcTemplate jdbc;
	private final EquityReports reports;
	private final DaoRegistry daos;
	private final InsightsProperties properties;
	private final Clock clock;
	private final Consumer<String> audit;
	private final String instance = UUID.randomUUID().toString();
	private volatile ScheduledExecutorService executor;

	MonthlyReports(JdbcTemplate jdbc, EquityReports reports, DaoRegistry daos, InsightsProperties properties, Clock clock,
			Consumer<String> audit) {
		this.jdbc = jdbc;
		this.reports = reports;
		this.daos = daos;
		this.properties = properties;
		this.clock = clock;
		this.audit = audit;
	}

	void createSchema() {
		jdbc.execute("CREATE TABLE IF NOT EXISTS eq_insights_report_run (period VARCHAR(7) PRIMARY KEY, claimed_by VARCHAR(64) NOT NULL, "
				+ "claimed_at TIMESTAMP NOT NULL, finished_at TIMESTAMP, reports INTEGER)");
	}

	/** The month before the current one (UTC), if no instance has stored it yet. */
	void runDue() {
		try {
			run(YearMonth.now(clock.withZone(ZoneOffset.UTC)).minusMonths(1));
		} catch (RuntimeException e) {
			log.warn("Monthly equity reports failed; the claim is retried after {}: {}", properties.monthlyLease(), e.toString());
		}
	}

	/** Claims the month and stores its reports; false when another instance holds or finished it. */
	boolean run(YearMonth month) {
		if (!claim(month)) {
			return false;
		}
		QualityMeasures.Period period = new QualityMeasures.Period(month.atDay(1), month.atEndOfMonth());
		List<String> stored = new ArrayList<>();
		for (String measure : QualityMeasures.IDS) {
			MeasureReport report = reports.evaluate(measure, period, false, null, false);
			stored.add(store(report, measure, month));
		}
		MeasureReport adequacy = reports.networkAdequacy(new NetworkAdequacy.Question(properties.minProficiency(),
				properties.distanceKm(), false, properties.membersPerClinician(), java.util.Set.of()), clock.instant());
		adequacy.setPeriod(new org.hl7.fhir.r4.model.Period().setStart(java.util.Date.from(period.from()))
				.setEnd(java.util.Date.from(period.until().minusMillis(1))));
		stored.add(store(adequacy, "network-language-adequacy", month));
		jdbc.update("UPDATE eq_insights_report_run SET finished_at = ?, reports = ? WHERE period = ? AND claimed_by = ?",
				Timestamp.from(clock.instant()), stored.size(), month.toString(), instance);
		audit.accept("monthly equity reports for " + month + ": " + String.join(", ", stored));
		log.info("Stored the equity reports for {}", month);
		return true;
	}

	private boolean claim(YearMonth month) {
		Instant now = clock.instant();
		try {
			jdbc.update("INSERT INTO eq_insights_report_run (period, claimed_by, claimed_at) VALUES (?,?,?)",
					month.toString(), instance, Timestamp.from(now));
			return true;
		} catch (DuplicateKeyException taken) {
			return jdbc.update("UPDATE eq_insights_report_run SET claimed_by = ?, claimed_at = ? "
							+ "WHERE period = ? AND finished_at IS NULL AND claimed_at < ?",
					instance, Timestamp.from(now), month.toString(), Timestamp.from(now.minus(properties.monthlyLease()))) == 1;
		}
	}

	private String store(MeasureReport report, String measure, YearMonth month) {
		String value = measure + "/" + month;
		report.addIdentifier(new Identifier().setSystem(IDENTIFIER_SYSTEM).setValue(value));
		return daos.getResourceDao(MeasureReport.class)
				.create(report, "MeasureReport?identifier=" + IDENTIFIER_SYSTEM + "|" + value, new SystemRequestDetails())
				.getId().toUnqualifiedVersionless().getValue();
	}

	private volatile boolean running;

	@Override
	public void start() {
		running = true;
	}

	/** The timer starts once the instance is ready (the guide installed), so the first run finds everything in place. */
	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		if (!properties.monthlyReports() || !running || executor != null) {
			return;
		}
		executor = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread t = new Thread(r, "equity-monthly-reports");
			t.setDaemon(true);
			return t;
		});
		long every = properties.monthlyCheck().toMillis();
		executor.scheduleWithFixedDelay(this::runDue, Math.min(every, 60_000), every, TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		running = false;
		ScheduledExecutorService e = executor;
		if (e != null) {
			e.shutdownNow();
			executor = null;
		}
	}

	@Override
	public boolean isRunning() {
		return running;
	}
}
