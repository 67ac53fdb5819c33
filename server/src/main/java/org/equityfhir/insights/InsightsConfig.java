package org.equityfhir.insights;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.equityfhir.api.FhirRestContribution;
import org.equityfhir.directory.CompetencyHierarchy;
import org.equityfhir.guide.GuidePackage;
import org.equityfhir.platform.StaticPage;
import org.equityfhir.security.AuditTrail;
import org.equityfhir.security.Caller;
import org.equityfhir.security.Role;
import org.equityfhir.security.SecurityProperties;
import org.hl7.fhir.r4.model.ConceptMap;
import org.hl7.fhir.r4.model.AuditEvent;
import org.equityfhir.storage.ClusterLock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Equity insights, registered here and nowhere else: network adequacy and the stratified quality measures
 * as operations, small-cell suppression on everything they answer, the monthly stored reports, and the
 * equity page at /equity. Who may call them is the security capability's policy (role equity-analyst).
 */
@Configuration
class InsightsConfig {

	/** The caller the monthly job is recorded as in the audit trail. */
	static final Caller MONTHLY_JOB = new Caller("server:monthly-equity-reports", Role.ADMIN, null, null, List.of());

	/**
	 * HAPI stops a synchronous search at its internal search size (10,000), which would cut a report's count of
	 * members short; the reports need every member, so that size is raised to what a report may count
	 * ({@link Records#LIMIT}). It only bounds searches the server makes for itself, which load what they match.
	 */
	@Bean
	EquityReports equityReports(DaoRegistry daos, MatchUrlService matchUrls, FhirContext fhirContext, CompetencyHierarchy competencies,
			List<GuidePackage> guidePackages, InsightsProperties properties, ca.uhn.fhir.jpa.api.config.JpaStorageSettings storage) {
		if (storage.getInternalSynchronousSearchSize() < Records.LIMIT + 1) {
			storage.setInternalSynchronousSearchSize(Records.LIMIT + 1);
		}
		GuidePackage terminology = guidePackages.stream().filter(p -> p.id().equals(GuidePackage.TERMINOLOGY_ID)).findFirst()
				.orElseThrow(() -> new IllegalStateException("FHIR package " + GuidePackage.TERMINOLOGY_ID + " is not loaded"));
		return new EquityReports(new Records(daos, matchUrls, storage),
				new NetworkAdequacy(competencies, communities(terminology.resource(fhirContext, "ConceptMap-language-community.json", ConceptMap.class))),
				new SmallCells(properties.smallestShown()));
	}

	/** {@code [base]/$network-adequacy} and {@code Measure/[id]/$evaluate-measure}. */
	@Bean
	FhirRestContribution equityOperations(EquityReports reports, DaoRegistry daos, InsightsProperties properties,
			SecurityProperties security) {
		EquityOperations operations = new EquityOperations(reports, daos, properties,
				() -> !security.enabled() || Caller.current().role() == Role.ADMIN, Clock.systemUTC());
		return server -> server.registerProvider(operations);
	}

	@Bean
	MonthlyReports monthlyReports(DataSource dataSource, ClusterLock lock, EquityReports reports, DaoRegistry daos,
			InsightsProperties properties, AuditTrail audit) {
		MonthlyReports monthly = new MonthlyReports(new JdbcTemplate(dataSource), reports, daos, properties, Clock.systemUTC(),
				what -> audit.record(new AuditTrail.Entry(MONTHLY_JOB, "operation", AuditEvent.AuditEventAction.E,
						AuditEvent.AuditEventOutcome._0, what, List.of(), null, "$evaluate-measure", null)));
		lock.runExclusively("equity-insights-schema", monthly::createSchema);
		return monthly;
	}

	/** The equity page for analysts: static files calling only the two operations and MeasureReport search. */
	@Bean
	StaticPage equityPage() {
		return new StaticPage("/equity", "classpath:/org/equityfhir/insights/page/");
	}

	private static Map<String, List<String>> communities(ConceptMap map) {
		Map<String, List<String>> byLanguage = new HashMap<>();
		map.getGroup().forEach(group -> group.getElement().forEach(element -> element.getTarget().forEach(target ->
				byLanguage.computeIfAbsent(element.getCode(), c -> new ArrayList<>()).add(target.getCode()))));
		return byLanguage;
	}
}
