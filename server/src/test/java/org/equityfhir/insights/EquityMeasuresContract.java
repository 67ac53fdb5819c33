package org.equityfhir.insights;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.equityfhir.testsupport.TestClients;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.ListResource;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The four quality measures against a hand-counted fixture in April 2003 (a month no other test writes in),
 * stratified by language and race. Patients (language, OMB race):
 *
 * <pre>
 *   group    n   seen  screened  positive  interpreter needed (met)  referrals (completed)
 *   Somali   34  34    22        11        22 (11 by a Somali clinician)  23 (12)
 *   Spanish  12  12     0         0        12 (0)                          0
 *   Hmong     5   5     5         1         5 (5, interpreter present)      3 (1)
 *   English  13  13    13         0         0                             11 (0)
 * </pre>
 * Somali are Black (2054-5), Spanish White (2106-3), Hmong Asian (2028-9), English give no race.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EquityMeasuresContract extends FhirServerTestBase {

	static final String PERIOD = "periodStart=2003-04-01&periodEnd=2003-04-30";
	private static final String DAY = "2003-04-15T10:00:00Z";
	private final String run = UUID.randomUUID().toString().substring(0, 8);
	private String requester;

	@BeforeAll
	void seed() {
		EquityFixtures tx = new EquityFixtures();
		String somaliDoctor = tx.add(EquityFixtures.clinician("Measures" + run, "so", "50", false));
		requester = somaliDoctor;
		group(tx, "so", "2054-5", 34, 22, 11, 22, 11, somaliDoctor, false, 23, 12);
		group(tx, "es", "2106-3", 12, 0, 0, 12, 0, null, false, 0, 0);
		group(tx, "hmn", "2028-9", 5, 5, 1, 5, 5, null, true, 3, 1);
		group(tx, "en", null, 13, 13, 0, 0, 0, null, false, 11, 0);
		HttpResponse<String> response = post("", FHIR_JSON, json(tx.bundle()));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
	}

	private void group(EquityFixtures tx, String language, String race, int seen, int screened, int positive, int needInterpreter,
			int met, String concordant, boolean interpreterPresent, int referrals, int completed) {
		List<String> patients = new ArrayList<>();
		for (int i = 0; i < seen; i++) {
			Patient patient = EquityFixtures.member("Measures" + run, language, race, null);
			patient.setBirthDate(java.sql.Date.valueOf("1980-01-01"));
			if (i < needInterpreter) {
				patient.addExtension(new Extension("http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired", new BooleanType(true)));
			}
			String id = tx.add(patient);
			patients.add(id);
			Encounter visit = new Encounter().setStatus(Encounter.EncounterStatus.FINISHED)
					.setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"));
			visit.addType().addCoding(new Coding("http://snomed.info/sct", "185349003", "Encounter for check up"));
			visit.setSubject(new Reference(id)).setPeriod(new Period().setStartElement(new DateTimeType(DAY)).setEndElement(new DateTimeType(DAY)));
			if (i < needInterpreter && i < met) {
				if (interpreterPresent) {
					visit.addParticipant().addType().addCoding(new Coding(QualityMeasures.PARTICIPATION, "INTRP", "interpreter"));
				} else {
					visit.addParticipant().setIndividual(new Reference(concordant));
				}
			}
			tx.add(visit);
			if (i < screened) {
				tx.add(screening(id, i < positive));
			}
		}
		for (int i = 0; i < referrals; i++) {
			Task task = new Task().setStatus(i < completed ? Task.TaskStatus.COMPLETED : Task.TaskStatus.REQUESTED).setIntent(Task.TaskIntent.ORDER);
			task.setCode(new CodeableConcept().addCoding(new Coding("http://hl7.org/fhir/CodeSystem/task-code", "fulfill", null)));
			task.setFor(new Reference(patients.get(i % patients.size()))).setAuthoredOnElement(new DateTimeType(DAY));
			task.setRequester(new Reference(requester));
			task.setFocus(new Reference(tx.add(referral(patients.get(i % patients.size())))));
			tx.add(task);
		}
	}

	private static Observation screening(String patient, boolean positive) {
		return screening(patient, positive, DAY);
	}

	static Observation screening(String patient, boolean positive, String day) {
		Observation o = new Observation().setStatus(Observation.ObservationStatus.FINAL);
		o.addCategory().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/observation-category", "social-history", null));
		o.addCategory().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/observation-category", "survey", null));
		o.addCategory().addCoding(new Coding(QualityMeasures.US_CORE_CATEGORY, "sdoh", null));
		o.addCategory().addCoding(new Coding("http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes",
				"food-insecurity", null));
		o.getCode().addCoding(new Coding("http://loinc.org", "88122-7", "Within the past 12 months we worried whether our food would run out before we got money to buy more"));
		o.setSubject(new Reference(patient)).setEffective(new DateTimeType(day));
		o.setValue(new CodeableConcept().addCoding(positive ? new Coding("http://loinc.org", "LA28397-0", "Often true")
				: new Coding("http://loinc.org", "LA28398-8", "Never true")));
		if (positive) {
			o.addInterpretation().addCoding(new Coding(QualityMeasures.INTERPRETATION, "POS", "Positive"));
		}
		return o;
	}

	private static org.hl7.fhir.r4.model.ServiceRequest referral(String patient) {
		org.hl7.fhir.r4.model.ServiceRequest sr = new org.hl7.fhir.r4.model.ServiceRequest();
		sr.setStatus(org.hl7.fhir.r4.model.ServiceRequest.ServiceRequestStatus.ACTIVE)
				.setIntent(org.hl7.fhir.r4.model.ServiceRequest.ServiceRequestIntent.ORDER);
		sr.addCategory().addCoding(new Coding(QualityMeasures.US_CORE_CATEGORY, "sdoh", null))
				.addCoding(new Coding("http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes", "food-insecurity", null));
		sr.getCode().addCoding(new Coding("http://snomed.info/sct", "467771000124109", null));
		sr.setSubject(new Reference(patient)).setAuthoredOnElement(new DateTimeType(DAY));
		return sr;
	}

	MeasureReport evaluate(String measure, String query, String as) {
		HttpResponse<String> response = send(request("Measure/" + measure + "/$evaluate-measure?" + query)
				.header("Authorization", "Bearer " + tokenFor(as)).GET());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return parse(MeasureReport.class, response.body());
	}

	/** {denominator, numerator} of the group's total (null where suppressed). */
	static Integer[] total(MeasureReport.MeasureReportGroupComponent group) {
		return new Integer[] {count(group.getPopulation(), "denominator"), count(group.getPopulation(), "numerator")};
	}

	private static Integer count(List<MeasureReport.MeasureReportGroupPopulationComponent> populations, String code) {
		return populations.stream().filter(p -> p.getCode().getCodingFirstRep().getCode().equals(code)).findFirst()
				.map(p -> p.getCountElement().getValue()).orElse(-1);
	}

	/** {denominator, numerator} of one stratum, by the code (or text) of its value; null counts where suppressed. */
	static Integer[] stratum(MeasureReport.MeasureReportGroupComponent group, String stratifier, String value) {
		MeasureReport.StratifierGroupComponent s = group.getStratifier().stream()
				.filter(st -> st.getCodeFirstRep().getCodingFirstRep().getCode().equals(stratifier)).findFirst().orElseThrow()
				.getStratum().stream().filter(st -> value.equals(st.getValue().getCodingFirstRep().getCode()) || value.equals(st.getValue().getText()))
				.findFirst().orElseThrow(() -> new AssertionError("no stratum " + value + " of " + stratifier));
		return s.getPopulation().stream().map(p -> p.getCountElement().getValue()).toArray(Integer[]::new);
	}

	@Test
	void screeningRateByLanguageAndRace() {
		MeasureReport report = evaluate("sdoh-screening-rate", PERIOD, TestClients.EQUITY_ANALYST);
		var rate = report.getGroupFirstRep();
		assertThat(total(rate)).containsExactly(64, 40);
		assertThat(rate.getMeasureScore().getValue().doubleValue()).isEqualTo(0.625);
		assertThat(stratum(rate, "language", "so")).containsExactly(34, 22);
		assertThat(stratum(rate, "language", "en")).containsExactly(13, 13);
		assertThat(stratum(rate, "language", "hmn")).as("5 seen: suppressed").containsExactly(null, null);
		assertThat(stratum(rate, "language", "es")).as("complement of Hmong").containsExactly(null, null);
		assertThat(stratum(rate, "race", "2054-5")).containsExactly(34, 22);
		assertThat(stratum(rate, "race", "Unknown")).containsExactly(13, 13);
		assertThat(stratum(rate, "race", "2028-9")).containsExactly(null, null);
		assertThat(stratum(rate, "race", "2106-3")).containsExactly(null, null);
		assertThat(stratum(rate, "age-band", "18-44")).as("all born 1980: 23 in April 2003").containsExactly(64, 40);
	}

	@Test
	void everyEvaluationIsAudited() {
		evaluate("interpreter-need-met", PERIOD + "&area=zip", TestClients.EQUITY_ANALYST);
		HttpResponse<String> trail = send(request("AuditEvent?altid=" + TestClients.EQUITY_ANALYST + "&subtype=operation&_count=100")
				.header("Authorization", "Bearer " + tokenFor(TestClients.ADMIN)).GET());
		assertThat(trail.statusCode()).as(trail.body()).isEqualTo(200);
		assertThat(trail.body()).contains("interpreter-need-met/$evaluate-measure?area=zip");
	}

	@Test
	void positiveScreenRateByLanguageAndRace() {
		var rate = evaluate("sdoh-positive-screen-rate", PERIOD, TestClients.EQUITY_ANALYST).getGroupFirstRep();
		assertThat(total(rate)).containsExactly(40, 12);
		assertThat(stratum(rate, "language", "so")).containsExactly(22, 11);
		assertThat(stratum(rate, "language", "hmn")).containsExactly(null, null);
		assertThat(stratum(rate, "language", "en")).as("complement of Hmong").containsExactly(null, null);
		assertThat(stratum(rate, "race", "2054-5")).containsExactly(22, 11);
	}

	@Test
	void referralLoopClosureWithMedianDaysToClose() {
		MeasureReport report = evaluate("referral-loop-closure", PERIOD, TestClients.EQUITY_ANALYST);
		var rate = report.getGroup().get(0);
		assertThat(total(rate)).containsExactly(37, 13);
		assertThat(stratum(rate, "language", "so")).containsExactly(23, 12);
		assertThat(stratum(rate, "language", "hmn")).containsExactly(null, null);
		assertThat(stratum(rate, "language", "en")).as("complement of Hmong").containsExactly(null, null);
		assertThat(stratum(rate, "race", "2054-5")).containsExactly(23, 12);
		var days = report.getGroup().get(1);
		assertThat(days.getId()).isEqualTo("days-to-close");
		assertThat(days.getPopulationFirstRep().getCount()).isEqualTo(13);
		long expected = ChronoUnit.DAYS.between(LocalDate.of(2003, 4, 15), LocalDate.now(java.time.ZoneOffset.UTC));
		assertThat(days.getMeasureScore().getValue().doubleValue()).as("stored today, sent 2003-04-15").isBetween(expected - 1.0, expected + 1.0);
	}

	@Test
	void interpreterNeedMetByLanguageAndRace() {
		var rate = evaluate("interpreter-need-met", PERIOD, TestClients.EQUITY_ANALYST).getGroupFirstRep();
		assertThat(total(rate)).containsExactly(39, 16);
		assertThat(stratum(rate, "language", "so")).containsExactly(22, 11);
		assertThat(stratum(rate, "language", "hmn")).containsExactly(null, null);
		assertThat(stratum(rate, "language", "es")).as("complement of Hmong").containsExactly(null, null);
		assertThat(stratum(rate, "race", "2054-5")).containsExactly(22, 11);
	}

	@Test
	void patientLevelReportsAreForAdministratorsOnly() {
		for (String query : new String[] {PERIOD + "&reportType=subject-list", PERIOD + "&subject=Patient/1&reportType=subject"}) {
			for (String who : new String[] {TestClients.EQUITY_ANALYST, TestClients.EHR}) {
				HttpResponse<String> refused = send(request("Measure/sdoh-screening-rate/$evaluate-measure?" + query)
						.header("Authorization", "Bearer " + tokenFor(who)).GET());
				assertThat(refused.statusCode()).as(who + " " + query).isEqualTo(403);
			}
		}
		MeasureReport list = evaluate("sdoh-screening-rate", PERIOD + "&reportType=subject-list", TestClients.ADMIN);
		assertThat(list.getType()).isEqualTo(MeasureReport.MeasureReportType.SUBJECTLIST);
		Reference numerator = list.getGroupFirstRep().getPopulation().get(1).getSubjectResults();
		ListResource patients = (ListResource) list.getContained().stream()
				.filter(r -> ("#" + r.getIdElement().getIdPart()).equals(numerator.getReference()) || r.getId().equals(numerator.getReference()))
				.findFirst().orElseThrow();
		assertThat(patients.getEntry()).hasSize(40);
		assertThat(stratum(list.getGroupFirstRep(), "language", "hmn")).as("administrators see every count").containsExactly(5, 5);
	}

	@Test
	void anAnalystReadsSummaryReportsButNoReportAboutOnePatient() {
		MeasureReport individual = new MeasureReport().setStatus(MeasureReport.MeasureReportStatus.COMPLETE)
				.setType(MeasureReport.MeasureReportType.INDIVIDUAL).setMeasure("http://example.org/Measure/x")
				.setSubject(new Reference(client().create().resource(EquityFixtures.member("Individual" + run, "so", null, null))
						.execute().getId().toUnqualifiedVersionless().getValue()))
				.setPeriod(new Period().setStartElement(new DateTimeType("2003-04-01")).setEndElement(new DateTimeType("2003-04-30")));
		String id = client().create().resource(individual).execute().getId().toUnqualifiedVersionless().getValue();
		HttpResponse<String> refused = send(request(id).header("Authorization", "Bearer " + tokenFor(TestClients.EQUITY_ANALYST)).GET());
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
		MeasureReport summary = evaluate("sdoh-screening-rate", PERIOD, TestClients.EQUITY_ANALYST);
		summary.setId((String) null);
		String stored = client().create().resource(summary).execute().getId().toUnqualifiedVersionless().getValue();
		HttpResponse<String> allowed = send(request(stored).header("Authorization", "Bearer " + tokenFor(TestClients.EQUITY_ANALYST)).GET());
		assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
	}

	@Test
	void badRequestsGetAClear400() {
		for (String query : new String[] {"periodStart=2003-04-01", "periodStart=2003-13-01&periodEnd=2003-04-30",
				"periodStart=2003-04-30&periodEnd=2003-04-01", PERIOD + "&reportType=everything", PERIOD + "&area=planet"}) {
			HttpResponse<String> response = send(request("Measure/sdoh-screening-rate/$evaluate-measure?" + query)
					.header("Authorization", "Bearer " + tokenFor(TestClients.EQUITY_ANALYST)).GET());
			assertThat(response.statusCode()).as(query + ": " + response.body()).isEqualTo(400);
		}
		HttpResponse<String> adequacyMeasure = send(request("Measure/network-language-adequacy/$evaluate-measure?" + PERIOD)
				.header("Authorization", "Bearer " + tokenFor(TestClients.EQUITY_ANALYST)).GET());
		assertThat(adequacyMeasure.statusCode()).isEqualTo(400);
		assertThat(adequacyMeasure.body()).contains("$network-adequacy");
		HttpResponse<String> missing = send(request("Measure/no-such-measure/$evaluate-measure?" + PERIOD)
				.header("Authorization", "Bearer " + tokenFor(TestClients.EQUITY_ANALYST)).GET());
		assertThat(missing.statusCode()).isEqualTo(404);
	}

	@Test
	void everyPopulationAndStratifierOfTheShippedMeasuresIsOneTheEvaluatorImplements() {
		HttpResponse<String> response = send(request("Measure?url:below=http://equityfhir.org/fhir/Measure/&_count=20")
				.header("Authorization", "Bearer " + tokenFor(TestClients.EQUITY_ANALYST)).GET());
		Bundle measures = parse(Bundle.class, response.body());
		List<String> expressions = measures.getEntry().stream().map(e -> (org.hl7.fhir.r4.model.Measure) e.getResource())
				.filter(m -> QualityMeasures.IDS.stream().anyMatch(id -> m.getUrl().equals(QualityMeasures.BASE + id)))
				.flatMap(m -> m.getGroup().stream())
				.flatMap(g -> java.util.stream.Stream.concat(g.getPopulation().stream().map(p -> p.getCriteria().getExpression()),
						g.getStratifier().stream().map(s -> s.getCriteria().getExpression())))
				.distinct().toList();
		assertThat(expressions).containsExactlyInAnyOrderElementsOf(QualityMeasures.RULES);
		assertThat(Optional.ofNullable(measures.getTotal())).isNotEmpty();
	}
}
