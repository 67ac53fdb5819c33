package org.equityfhir.insights;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.UUID;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.equityfhir.testsupport.TestClients;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Practitioner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code $network-adequacy} on a held-apart scenario: members preferring Somali, Hmong, Spanish and Oromo in
 * two counties made up for this run (so nothing else in the shared database lands in them), and clinicians
 * with and without those languages, some opted out of displaying them.
 *
 * <pre>
 *                 Northwood (north)            Southlake (south, 111 km away)
 *   Somali        15 members, 20 clinicians*   12 members,  0 clinicians
 *   Hmong         12 members,  0 clinicians    11 members, 12 clinicians
 *   Spanish       11 members, 11 clinicians at ILR 20 (below the default minimum of 30)
 *                                              11 members,  0 clinicians
 *   Oromo          7 members,  0 clinicians    14 members,  0 clinicians
 *   * 5 of the 20 chose not to display their languages; they still count.
 * </pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class NetworkAdequacyContract extends FhirServerTestBase {

	private final String run = UUID.randomUUID().toString().substring(0, 8);
	private final String north = "Northwood" + run;
	private final String south = "Southlake" + run;
	private static final double NORTH_LAT = 45.50;
	private static final double SOUTH_LAT = 44.50;
	private static final double LON = -93.00;

	@BeforeAll
	void seed() {
		EquityFixtures tx = new EquityFixtures();
		members(tx, "so", 15, 12);
		members(tx, "hmn", 12, 11);
		members(tx, "es", 11, 11);
		members(tx, "om", 7, 14);
		String northSite = tx.add(EquityFixtures.site("Northwood Clinic " + run, north, NORTH_LAT, LON));
		String southSite = tx.add(EquityFixtures.site("Southlake Clinic " + run, south, SOUTH_LAT, LON));
		for (int i = 0; i < 20; i++) {
			Practitioner somali = EquityFixtures.clinician("Clinician" + run, "so", "40", i < 5);
			if (i >= 9) {
				EquityFixtures.withCompetencyAndRace(somali, "somali", "2054-5");
			}
			tx.add(EquityFixtures.role(tx.add(somali), northSite));
		}
		for (int i = 0; i < 12; i++) {
			clinician(tx, "hmn", "50", false, southSite);
		}
		for (int i = 0; i < 11; i++) {
			clinician(tx, "es", "20", false, northSite);
		}
		for (int i = 0; i < 3; i++) {
			clinician(tx, null, null, false, southSite);
		}
		HttpResponse<String> response = post("", FHIR_JSON, json(tx.bundle()));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
	}

	/** Somali members are also Black (OMB 2054-5), so the race groups have members of ours too. */
	private void members(EquityFixtures tx, String language, int inNorth, int inSouth) {
		String race = language.equals("so") ? "2054-5" : null;
		for (int i = 0; i < inNorth; i++) {
			tx.add(EquityFixtures.member("North" + run, language, race, EquityFixtures.home(north, NORTH_LAT + 0.01, LON)));
		}
		for (int i = 0; i < inSouth; i++) {
			tx.add(EquityFixtures.member("South" + run, language, race, EquityFixtures.home(south, SOUTH_LAT - 0.01, LON)));
		}
	}

	private void clinician(EquityFixtures tx, String language, String ilr, boolean hides, String site) {
		String practitioner = tx.add(EquityFixtures.clinician("Clinician" + run, language, ilr, hides));
		tx.add(EquityFixtures.role(practitioner, site));
	}

	/** Asked for the scenario's two counties only, so the shared database's other data stays out of every cell. */
	private MeasureReport adequacy(String query, String as) {
		String area = "service-area=" + java.net.URLEncoder.encode(north + " County, MN", java.nio.charset.StandardCharsets.UTF_8)
				+ "&service-area=" + java.net.URLEncoder.encode(south + " County, MN", java.nio.charset.StandardCharsets.UTF_8);
		HttpResponse<String> response = send(request("$network-adequacy?" + area + (query.isEmpty() ? "" : "&" + query))
				.header("Authorization", "Bearer " + tokenFor(as)).GET());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return parse(MeasureReport.class, response.body());
	}

	private static MeasureReport.MeasureReportGroupComponent group(MeasureReport report, String id) {
		return report.getGroup().stream().filter(g -> g.getId().equals(id)).findFirst().orElseThrow(() -> new AssertionError("no group " + id));
	}

	private MeasureReport.StratifierGroupComponent stratum(MeasureReport.MeasureReportGroupComponent group, String county) {
		return group.getStratifierFirstRep().getStratum().stream().filter(s -> s.getValue().getText().equals(county + " County, MN"))
				.findFirst().orElseThrow(() -> new AssertionError("no stratum " + county + " in " + group.getId()));
	}

	private static MeasureReport.StratifierGroupPopulationComponent population(MeasureReport.StratifierGroupComponent stratum, String code) {
		return stratum.getPopulation().stream().filter(p -> p.getCode().getCodingFirstRep().getCode().equals(code)).findFirst().orElseThrow();
	}

	/** The count shown, or empty when suppressed (data-absent-reason masked, and no value). */
	private static Optional<Integer> count(MeasureReport.StratifierGroupComponent stratum, String code) {
		MeasureReport.StratifierGroupPopulationComponent p = population(stratum, code);
		if (p.getCountElement().getValue() == null) {
			assertThat(p.getCountElement().getExtensionByUrl(EquityReports.DATA_ABSENT_REASON).getValue().primitiveValue()).isEqualTo("masked");
			return Optional.empty();
		}
		return Optional.of(p.getCount());
	}

	private static Boolean gap(MeasureReport.StratifierGroupComponent stratum) {
		var flag = stratum.getExtensionByUrl(EquityReports.ADEQUACY_GAP);
		return flag == null ? null : ((org.hl7.fhir.r4.model.BooleanType) flag.getValue()).getValue();
	}

	@Test
	void flagsTheLanguageAndCountyWhereMembersOutnumberConcordantClinicians() {
		MeasureReport report = adequacy("", TestClients.EQUITY_ANALYST);
		assertThat(report.getType()).isEqualTo(MeasureReport.MeasureReportType.SUMMARY);
		assertThat(report.getMeasure()).isEqualTo("http://equityfhir.org/fhir/Measure/network-language-adequacy");
		MeasureReport.MeasureReportGroupComponent somali = group(report, "language-so");
		assertThat(somali.getCode().getCodingFirstRep().getSystem()).isEqualTo("urn:ietf:bcp:47");
		assertThat(somali.getCode().getCodingFirstRep().getCode()).isEqualTo("so");
		assertThat(somali.getStratifierFirstRep().getCodeFirstRep().getCodingFirstRep().getCode()).isEqualTo("county");

		var somaliNorth = stratum(somali, north);
		assertThat(count(somaliNorth, "members")).contains(15);
		assertThat(count(somaliNorth, "clinicians")).as("opted-out clinicians count in aggregates").contains(20);
		assertThat(count(somaliNorth, "members-without-access")).contains(0);
		assertThat(gap(somaliNorth)).isFalse();
		assertThat(somaliNorth.getMeasureScore().getValue().doubleValue()).isEqualTo(1333.333);
		var somaliSouth = stratum(somali, south);
		assertThat(count(somaliSouth, "members")).contains(12);
		assertThat(count(somaliSouth, "clinicians")).contains(0);
		assertThat(count(somaliSouth, "members-without-access")).as("the nearest Somali speaker is 111 km north").contains(12);
		assertThat(gap(somaliSouth)).isTrue();

		var hmong = group(report, "language-hmn");
		assertThat(gap(stratum(hmong, north))).isTrue();
		assertThat(gap(stratum(hmong, south))).isFalse();
		assertThat(count(stratum(hmong, south), "clinicians")).contains(12);

		var spanish = group(report, "language-es");
		assertThat(count(stratum(spanish, north), "clinicians")).as("ILR 20 is below the default minimum of 30").contains(0);
		assertThat(gap(stratum(spanish, north))).isTrue();
	}

	@Test
	void theOromoCellUnderElevenIsSuppressedAndSoIsItsComplement() {
		MeasureReport report = adequacy("", TestClients.EQUITY_ANALYST);
		var oromo = group(report, "language-om");
		var oromoNorth = stratum(oromo, north);
		assertThat(count(oromoNorth, "members")).as("7 members").isEmpty();
		assertThat(count(oromoNorth, "members-without-access")).as("as many as the members: suppressed").isEmpty();
		assertThat(oromoNorth.getMeasureScore().getValue()).isNull();
		assertThat(oromoNorth.getMeasureScore().getExtensionByUrl(EquityReports.DATA_ABSENT_REASON)).isNotNull();
		assertThat(gap(oromoNorth)).as("a flag would narrow the suppressed count").isNull();
		var oromoSouth = stratum(oromo, south);
		assertThat(count(oromoSouth, "members")).as("14, but with the total it would reveal the 7").isEmpty();
		assertThat(oromo.getPopulation().stream().filter(p -> p.getCode().getCodingFirstRep().getCode().equals("members"))
				.findFirst().orElseThrow().getCount()).isEqualTo(21);
		assertThat(count(oromoNorth, "clinicians")).as("a zero points at no one").contains(0);
		assertThat(report.getGroup()).noneMatch(g -> g.getStratifierFirstRep().getStratum().stream()
				.flatMap(s -> s.getPopulation().stream()).map(p -> p.getCountElement().getValue())
				.anyMatch(n -> n != null && n > 0 && n < 11));
	}

	@Test
	void culturalCompetencyAndRaceConcordanceAreGroupsToo() {
		MeasureReport report = adequacy("", TestClients.EQUITY_ANALYST);
		var somaliCommunity = group(report, "competency-somali");
		assertThat(somaliCommunity.getCode().getCodingFirstRep().getSystem()).isEqualTo("http://equityfhir.org/fhir/CodeSystem/cultural-competency");
		assertThat(count(stratum(somaliCommunity, north), "members")).as("Somali speakers point to the Somali community").contains(15);
		assertThat(count(stratum(somaliCommunity, north), "clinicians")).as("11 of the 20 attest Somali cultural competency").contains(11);
		assertThat(count(stratum(somaliCommunity, south), "members-without-access")).contains(12);
		var black = group(report, "race-2054-5");
		assertThat(count(stratum(black, north), "members")).contains(15);
		assertThat(count(stratum(black, north), "clinicians")).as("11 shared their race").contains(11);
		assertThat(gap(stratum(black, north))).isTrue();
	}

	@Test
	void aLowerMinimumProficiencyCountsTheSpanishSpeakers() {
		MeasureReport report = adequacy("min-proficiency=20", TestClients.EQUITY_ANALYST);
		var spanishNorth = stratum(group(report, "language-es"), north);
		assertThat(count(spanishNorth, "clinicians")).contains(11);
		assertThat(gap(spanishNorth)).isFalse();
	}

	@Test
	void aWiderDistanceGivesTheSouthAccessToTheNorthsClinicians() {
		MeasureReport report = adequacy("distance=150", TestClients.EQUITY_ANALYST);
		assertThat(count(stratum(group(report, "language-so"), south), "members-without-access")).contains(0);
	}

	@Test
	void withoutAServiceAreaTheReportCoversEveryArea() {
		HttpResponse<String> response = send(request("$network-adequacy")
				.header("Authorization", "Bearer " + tokenFor(TestClients.EQUITY_ANALYST)).GET());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		MeasureReport everywhere = parse(MeasureReport.class, response.body());
		var somali = group(everywhere, "language-so");
		assertThat(stratum(somali, north)).isNotNull();
		assertThat(stratum(somali, south)).isNotNull();
		assertThat(somali.getPopulation().stream().filter(p -> p.getCode().getCodingFirstRep().getCode().equals("members")).findFirst()
				.orElseThrow().getCountElement().getValue()).as("at least the scenario's 27 Somali members").isGreaterThanOrEqualTo(27);
	}

	@Test
	void badParametersGetAClear400() {
		for (String query : new String[] {"min-proficiency=35", "distance=-1", "area=state", "members-per-clinician=0"}) {
			HttpResponse<String> response = send(request("$network-adequacy?" + query)
					.header("Authorization", "Bearer " + tokenFor(TestClients.EQUITY_ANALYST)).GET());
			assertThat(response.statusCode()).as(query + ": " + response.body()).isEqualTo(400);
			assertThat(parse(OperationOutcome.class, response.body()).getIssueFirstRep().getDiagnostics()).isNotBlank();
		}
	}

	@Test
	void onlyAnalystsAndAdministratorsMayAskAndEveryAskIsAudited() {
		for (String who : new String[] {TestClients.EHR, TestClients.MEMBER_SERVICES, TestClients.FOOD_SHELF_A, TestClients.CLINICIAN}) {
			HttpResponse<String> refused = send(request("$network-adequacy").header("Authorization", "Bearer " + tokenFor(who)).GET());
			assertThat(refused.statusCode()).as(who).isEqualTo(403);
		}
		HttpResponse<String> anonymous = send(request("$network-adequacy").header(ANONYMOUS, "true").GET());
		assertThat(anonymous.statusCode()).isIn(401, 403);
		adequacy("", TestClients.ADMIN);

		HttpResponse<String> trail = send(request("AuditEvent?subtype=operation&_count=50&_sort=-date")
				.header("Authorization", "Bearer " + tokenFor(TestClients.ADMIN)).GET());
		assertThat(trail.statusCode()).as(trail.body()).isEqualTo(200);
		assertThat(trail.body()).contains("$network-adequacy").contains(TestClients.EQUITY_ANALYST);
		Bundle events = parse(Bundle.class, trail.body());
		assertThat(events.getEntry()).isNotEmpty();
	}
}
