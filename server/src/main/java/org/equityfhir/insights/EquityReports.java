package org.equityfhir.insights;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.ListResource;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;

/**
 * Evaluates the equity measures and writes them as FHIR MeasureReports, suppressing small cells on the way:
 * the one place both operations and the monthly job get their reports from.
 */
final class EquityReports {

	static final String DATA_ABSENT_REASON = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";
	static final String ADEQUACY_GAP = "http://equityfhir.org/fhir/StructureDefinition/adequacy-gap";
	static final String MEASURE_POPULATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-population";
	static final String EQUITY_POPULATION_SYSTEM = "http://equityfhir.org/fhir/CodeSystem/equity-measure-population";
	static final String STRATIFIER_SYSTEM = "http://equityfhir.org/fhir/CodeSystem/equity-stratifier";

	private final Records records;
	private final NetworkAdequacy adequacy;
	private final QualityMeasures measures;
	private final SmallCells smallCells;

	EquityReports(Records records, NetworkAdequacy adequacy, SmallCells smallCells) {
		this.records = records;
		this.adequacy = adequacy;
		this.measures = new QualityMeasures(records);
		this.smallCells = smallCells;
	}

	MeasureReport networkAdequacy(NetworkAdequacy.Question question, Instant now) {
		List<Member> members = records.all("Patient?active:not=false", org.hl7.fhir.r4.model.Patient.class).stream().map(Member::of).toList();
		List<Tally> groups = adequacy.evaluate(question, members, records.all("Practitioner?active:not=false", Practitioner.class),
				records.all(PractitionerRole.class), records.all(Location.class));
		groups.forEach(smallCells::apply);
		MeasureReport report = report(NetworkAdequacy.MEASURE, groups, EQUITY_POPULATION_SYSTEM, false);
		Date at = Date.from(now);
		report.setPeriod(new Period().setStart(at).setEnd(at));
		return report;
	}

	/**
	 * A quality measure over a period. {@code subject} (one patient) and {@code subjectList} are patient-level:
	 * the operation lets administrators alone ask for them, and their reports are not suppressed.
	 */
	MeasureReport evaluate(String measureId, QualityMeasures.Period period, boolean byZip, String subject, boolean subjectList) {
		Map<String, Member> members = QualityMeasures.members(records);
		Places places = new Places(records.all(Location.class));
		List<Tally> groups = measures.evaluate(measureId, period, places, byZip, members, subject);
		boolean patientLevel = subject != null || subjectList;
		if (!patientLevel) {
			groups.forEach(smallCells::apply);
		}
		MeasureReport report = report(QualityMeasures.BASE + measureId, groups, MEASURE_POPULATION_SYSTEM, subjectList);
		if (subject != null) {
			report.setType(MeasureReport.MeasureReportType.INDIVIDUAL);
			report.setSubject(new Reference(subject));
		} else if (subjectList) {
			report.setType(MeasureReport.MeasureReportType.SUBJECTLIST);
		}
		report.setPeriod(new Period().setStart(Date.from(period.from()))
				.setEnd(Date.from(period.until().minusMillis(1))));
		return report;
	}

	private MeasureReport report(String measure, List<Tally> groups, String populationSystem, boolean subjectList) {
		MeasureReport report = new MeasureReport();
		report.setStatus(MeasureReport.MeasureReportStatus.COMPLETE);
		report.setType(MeasureReport.MeasureReportType.SUMMARY);
		report.setMeasure(measure);
		report.setDate(new Date());
		report.setImprovementNotation(new CodeableConcept().addCoding(new Coding(
				"http://terminology.hl7.org/CodeSystem/measure-improvement-notation", "increase", "Increased score indicates improvement")));
		for (Tally tally : groups) {
			MeasureReport.MeasureReportGroupComponent group = report.addGroup();
			group.setId(tally.id);
			if (tally.code != null) {
				group.setCode(tally.code);
			}
			for (String population : tally.populations) {
				MeasureReport.MeasureReportGroupPopulationComponent p = group.addPopulation();
				p.setCode(new CodeableConcept().addCoding(new Coding(populationSystem, population, null)));
				count(p, tally.total, population);
				if (subjectList) {
					ListResource list = new ListResource().setStatus(ListResource.ListStatus.CURRENT).setMode(ListResource.ListMode.SNAPSHOT);
					list.setId(tally.id + "-" + population);
					tally.total.subjects.getOrDefault(population, List.of()).forEach(s -> list.addEntry().setItem(new Reference(s)));
					report.addContained(list);
					p.setSubjectResults(new Reference("#" + list.getId()));
				}
			}
			score(tally, tally.total, group.getMeasureScore());
			flag(tally, tally.total, group);
			tally.strata.forEach((stratifier, strata) -> {
				MeasureReport.MeasureReportGroupStratifierComponent s = group.addStratifier();
				s.addCode().addCoding(new Coding(STRATIFIER_SYSTEM, stratifier, null));
				strata.values().stream().sorted(java.util.Comparator.comparing((Tally.Cell c) -> Places.UNKNOWN.equals(c.key)).thenComparing(c -> c.key))
						.forEach(cell -> {
					MeasureReport.StratifierGroupComponent stratum = s.addStratum();
					stratum.setValue(cell.value);
					for (String population : tally.populations) {
						MeasureReport.StratifierGroupPopulationComponent p = stratum.addPopulation();
						p.setCode(new CodeableConcept().addCoding(new Coding(populationSystem, population, null)));
						if (cell.shown(population)) {
							p.setCount((int) cell.count(population));
						} else {
							p.getCountElement().addExtension(masked());
						}
					}
					score(tally, cell, stratum.getMeasureScore());
					flag(tally, cell, stratum);
				});
			});
		}
		return report;
	}

	private static void count(MeasureReport.MeasureReportGroupPopulationComponent p, Tally.Cell cell, String population) {
		if (cell.shown(population)) {
			p.setCount((int) cell.count(population));
		} else {
			p.getCountElement().addExtension(masked());
		}
	}

	private static void score(Tally tally, Tally.Cell cell, Quantity score) {
		if (tally.scoreSuppressed(cell)) {
			score.addExtension(masked());
			return;
		}
		Double value = tally.shownScore(cell);
		if (value != null) {
			score.setValue(value);
			if (tally.populations.contains(NetworkAdequacy.MEMBERS)) {
				score.setUnit("clinicians per 1,000 members");
			} else if (tally.populations.contains(QualityMeasures.MEASURE_POPULATION)) {
				score.setUnit("d").setSystem("http://unitsofmeasure.org").setCode("d");
			}
		}
	}

	private static void flag(Tally tally, Tally.Cell cell, org.hl7.fhir.r4.model.Element target) {
		Boolean gap = tally.shownFlag(cell);
		if (gap != null) {
			target.addExtension(new Extension(ADEQUACY_GAP, new org.hl7.fhir.r4.model.BooleanType(gap)));
		}
	}

	static Extension masked() {
		return new Extension(DATA_ABSENT_REASON, new CodeType("masked"));
	}
}
