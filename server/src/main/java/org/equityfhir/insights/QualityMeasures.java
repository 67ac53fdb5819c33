package org.equityfhir.insights;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.equityfhir.referral.ReferralHistory;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Task;

/**
 * The four stratified quality measures of our guide, evaluated in Java from the same Measure resources'
 * population and stratifier definitions (docs/equity.md says why not CQL). Each rule key below is the
 * {@code criteria.expression} of a population or stratifier in a shipped Measure; a test proves the two agree.
 */
final class QualityMeasures {

	static final String BASE = "http://equityfhir.org/fhir/Measure/";
	static final String SCREENING = "sdoh-screening-rate";
	static final String POSITIVE = "sdoh-positive-screen-rate";
	static final String LOOP = "referral-loop-closure";
	static final String INTERPRETER = "interpreter-need-met";
	static final List<String> IDS = List.of(SCREENING, POSITIVE, LOOP, INTERPRETER);
	static final List<String> STRATIFIERS = List.of("language", "race", "ethnicity", "age-band", "area");

	static final String DENOMINATOR = "denominator";
	static final String NUMERATOR = "numerator";
	static final String MEASURE_POPULATION = "measure-population";

	/** Every criteria expression the Measures may name, and so the evaluator implements. */
	static final Set<String> RULES = Set.of(
			"sdoh-screening-rate/denominator", "sdoh-screening-rate/numerator",
			"sdoh-positive-screen-rate/denominator", "sdoh-positive-screen-rate/numerator",
			"referral-loop-closure/denominator", "referral-loop-closure/numerator",
			"referral-loop-closure/measure-population", "referral-loop-closure/days-to-close",
			"interpreter-need-met/denominator", "interpreter-need-met/numerator",
			"stratifier/language", "stratifier/race", "stratifier/ethnicity", "stratifier/age-band", "stratifier/area");

	static final String US_CORE_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category";
	static final String OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category";
	static final String INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
	static final String PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
	static final Set<String> SCREENING_QUESTIONNAIRES = Set.of(
			"http://equityfhir.org/fhir/Questionnaire/hunger-vital-sign", "http://equityfhir.org/fhir/Questionnaire/ahc-hrsn");
	static final int MIN_CONCORDANT_ILR = 30;

	/** The measurement period, whole days, end inclusive. */
	record Period(LocalDate start, LocalDate end) {
		Instant from() {
			return start.atStartOfDay(ZoneOffset.UTC).toInstant();
		}

		Instant until() {
			return end.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
		}

		boolean contains(Date date) {
			return date != null && !date.toInstant().isBefore(from()) && date.toInstant().isBefore(until());
		}

		String query(String param) {
			return param + "=ge" + start + "&" + param + "=lt" + end.plusDays(1);
		}
	}

	/** One subject of a measure (a patient, or a referral of a patient) and the populations it is in. */
	record Unit(Member member, Set<String> populations, Double observation) {}

	private final Records records;

	QualityMeasures(Records records) {
		this.records = records;
	}

	/** The Measure's groups, counted and stratified; {@code subject} (Patient/id) narrows to one patient. */
	List<Tally> evaluate(String id, Period period, Places places, boolean byZip, Map<String, Member> members, String subject) {
		List<Unit> units = switch (id) {
			case SCREENING -> screening(period, members);
			case POSITIVE -> positive(period, members);
			case LOOP -> loop(period, members);
			case INTERPRETER -> interpreter(period, members);
			default -> throw new IllegalArgumentException(id);
		};
		if (subject != null) {
			units = units.stream().filter(u -> subject.equals(u.member().id())).toList();
		}
		List<Tally> groups = new ArrayList<>();
		groups.add(tally("rate", List.of(DENOMINATOR, NUMERATOR), units, period, places, byZip));
		if (id.equals(LOOP)) {
			groups.add(tally("days-to-close", List.of(MEASURE_POPULATION), units, period, places, byZip));
		}
		return groups;
	}

	private Tally tally(String groupId, List<String> populations, List<Unit> units, Period period, Places places, boolean byZip) {
		Tally tally = new Tally(groupId, null, populations);
		if (populations.contains(NUMERATOR)) {
			tally.subset(NUMERATOR, DENOMINATOR);
			tally.score = counts -> counts.get(DENOMINATOR) == 0 ? null
					: Math.round(counts.get(NUMERATOR) * 10_000.0 / counts.get(DENOMINATOR)) / 10_000.0;
			tally.scoreFrom = List.of(DENOMINATOR, NUMERATOR);
		} else {
			tally.scoreFrom = List.of(MEASURE_POPULATION);
		}
		STRATIFIERS.forEach(tally::declareStratifier);
		for (Unit unit : units) {
			List<Tally.Cell> cells = new ArrayList<>();
			cells.add(tally.total);
			for (String stratifier : STRATIFIERS) {
				String key = unit.member().stratum(stratifier, period.end(), places, byZip);
				cells.add(tally.stratum(stratifier, key, k -> stratumValue(stratifier, k)));
			}
			for (String population : populations) {
				if (unit.populations().contains(population)) {
					cells.forEach(c -> c.add(population, 1));
					tally.total.subjects.computeIfAbsent(population, p -> new ArrayList<>()).add(unit.member().id());
					if (population.equals(MEASURE_POPULATION) && unit.observation() != null) {
						cells.forEach(c -> c.observations.add(unit.observation()));
					}
				}
			}
		}
		if (populations.contains(MEASURE_POPULATION)) {
			tally.cells().forEach(c -> c.precomputedScore = median(c.observations));
		}
		return tally;
	}

	static CodeableConcept stratumValue(String stratifier, String key) {
		return switch (stratifier) {
			case "language" -> Member.UNKNOWN.equals(key) ? new CodeableConcept().setText("Unknown")
					: NetworkAdequacy.concept(Member.BCP47, key, NetworkAdequacy.languageName(key));
			case "race", "ethnicity" -> Member.OMB_DISPLAY.containsKey(key) ? NetworkAdequacy.concept(Member.OMB, key, Member.OMB_DISPLAY.get(key))
					: new CodeableConcept().setText(Member.MULTIPLE.equals(key) ? "Multiple races" : "Unknown");
			default -> new CodeableConcept().setText(key);
		};
	}

	static Double median(List<Double> values) {
		if (values.isEmpty()) {
			return null;
		}
		List<Double> sorted = values.stream().sorted().toList();
		int n = sorted.size();
		double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
		return Math.round(median * 10) / 10.0;
	}

	// ---- the populations

	/** Patients with an Encounter starting in the period: patient → their encounters. */
	private Map<String, List<Encounter>> seen(Period period) {
		Map<String, List<Encounter>> seen = new HashMap<>();
		for (Encounter encounter : records.all("Encounter?" + period.query("date"), Encounter.class)) {
			Encounter.EncounterStatus status = encounter.getStatus();
			if (status == Encounter.EncounterStatus.PLANNED || status == Encounter.EncounterStatus.CANCELLED
					|| status == Encounter.EncounterStatus.ENTEREDINERROR || !encounter.hasSubject()
					|| !period.contains(encounter.getPeriod().getStart())) {
				continue;
			}
			seen.computeIfAbsent(patient(encounter.getSubject()), p -> new ArrayList<>()).add(encounter);
		}
		return seen;
	}

	/** Patients screened in the period: patient → whether any screen was positive. */
	private Map<String, Boolean> screened(Period period) {
		Map<String, Boolean> screened = new HashMap<>();
		String sdoh = java.net.URLEncoder.encode(US_CORE_CATEGORY + "|sdoh", java.nio.charset.StandardCharsets.UTF_8);
		for (Observation observation : records.all("Observation?category=" + sdoh + "&" + period.query("date"), Observation.class)) {
			boolean survey = observation.getCategory().stream().flatMap(c -> c.getCoding().stream())
					.anyMatch(c -> OBSERVATION_CATEGORY.equals(c.getSystem()) && "survey".equals(c.getCode()));
			if (!survey || !observation.hasSubject() || observation.getStatus() == Observation.ObservationStatus.ENTEREDINERROR
					|| observation.getStatus() == Observation.ObservationStatus.CANCELLED) {
				continue;
			}
			screened.merge(patient(observation.getSubject()), positive(observation), Boolean::logicalOr);
		}
		for (QuestionnaireResponse response : records.all("QuestionnaireResponse?" + period.query("authored"),
				QuestionnaireResponse.class)) {
			boolean done = response.getStatus() == QuestionnaireResponse.QuestionnaireResponseStatus.COMPLETED
					|| response.getStatus() == QuestionnaireResponse.QuestionnaireResponseStatus.AMENDED;
			String questionnaire = response.hasQuestionnaire() ? response.getQuestionnaire().replaceFirst("\\|.*$", "") : "";
			if (done && response.hasSubject() && SCREENING_QUESTIONNAIRES.contains(questionnaire)) {
				screened.merge(patient(response.getSubject()), false, Boolean::logicalOr);
			}
		}
		return screened;
	}

	static boolean positive(Observation observation) {
		boolean pos = observation.getInterpretation().stream().flatMap(c -> c.getCoding().stream())
				.anyMatch(c -> INTERPRETATION.equals(c.getSystem()) && "POS".equals(c.getCode()));
		boolean hvsAtRisk = observation.getCode().getCoding().stream().anyMatch(c -> "88124-3".equals(c.getCode()))
				&& observation.getValue() instanceof CodeableConcept value
				&& value.getCoding().stream().anyMatch(c -> "LA19952-3".equals(c.getCode()));
		return pos || hvsAtRisk;
	}

	private List<Unit> screening(Period period, Map<String, Member> members) {
		Map<String, Boolean> screened = screened(period);
		List<Unit> units = new ArrayList<>();
		seen(period).keySet().forEach(patient -> units.add(new Unit(member(members, patient),
				screened.containsKey(patient) ? Set.of(DENOMINATOR, NUMERATOR) : Set.of(DENOMINATOR), null)));
		return units;
	}

	private List<Unit> positive(Period period, Map<String, Member> members) {
		List<Unit> units = new ArrayList<>();
		screened(period).forEach((patient, positive) -> units.add(new Unit(member(members, patient),
				positive ? Set.of(DENOMINATOR, NUMERATOR) : Set.of(DENOMINATOR), null)));
		return units;
	}

	private List<Unit> loop(Period period, Map<String, Member> members) {
		List<Unit> units = new ArrayList<>();
		String fulfil = java.net.URLEncoder.encode("http://hl7.org/fhir/CodeSystem/task-code|fulfill", java.nio.charset.StandardCharsets.UTF_8);
		for (Task task : records.all("Task?code=" + fulfil + "&" + period.query("authored-on"), Task.class)) {
			if (task.getStatus() == Task.TaskStatus.DRAFT || task.getStatus() == Task.TaskStatus.ENTEREDINERROR || !task.hasFor()) {
				continue;
			}
			Member member = member(members, patient(task.getFor()));
			if (task.getStatus() != Task.TaskStatus.COMPLETED) {
				units.add(new Unit(member, Set.of(DENOMINATOR), null));
				continue;
			}
			ReferralHistory history = ReferralHistory.of(records.daos(), task);
			Double days = history.sent() == null || history.closedAt() == null ? null
					: Duration.between(history.sent(), history.closedAt()).toMinutes() / 1440.0;
			units.add(new Unit(member, Set.of(DENOMINATOR, NUMERATOR, MEASURE_POPULATION), days));
		}
		return units;
	}

	private List<Unit> interpreter(Period period, Map<String, Member> members) {
		Map<String, List<Encounter>> seen = seen(period);
		Map<String, Practitioner> practitioners = new HashMap<>();
		Map<String, String> roleToPractitioner = new HashMap<>();
		boolean loaded = false;
		List<Unit> units = new ArrayList<>();
		for (Map.Entry<String, List<Encounter>> visits : seen.entrySet()) {
			Member member = member(members, visits.getKey());
			if (!member.interpreterNeeded()) {
				continue;
			}
			if (!loaded) {
				records.all(Practitioner.class)
						.forEach(p -> practitioners.put(p.getIdElement().toUnqualifiedVersionless().getValue(), p));
				records.all(PractitionerRole.class).stream().filter(PractitionerRole::hasPractitioner)
						.forEach(r -> roleToPractitioner.put(r.getIdElement().toUnqualifiedVersionless().getValue(),
								r.getPractitioner().getReferenceElement().toUnqualifiedVersionless().getValue()));
				loaded = true;
			}
			boolean allMet = visits.getValue().stream().allMatch(e -> met(e, member, practitioners, roleToPractitioner::get));
			units.add(new Unit(member, allMet ? Set.of(DENOMINATOR, NUMERATOR) : Set.of(DENOMINATOR), null));
		}
		return units;
	}

	private static boolean met(Encounter encounter, Member member, Map<String, Practitioner> practitioners,
			Function<String, String> practitionerOfRole) {
		for (Encounter.EncounterParticipantComponent participant : encounter.getParticipant()) {
			if (participant.getType().stream().flatMap(t -> t.getCoding().stream()).anyMatch(c -> "INTRP".equals(c.getCode()))) {
				return true;
			}
			if (!participant.hasIndividual()) {
				continue;
			}
			String ref = participant.getIndividual().getReferenceElement().toUnqualifiedVersionless().getValue();
			String practitionerId = ref != null && ref.startsWith("PractitionerRole/") ? practitionerOfRole.apply(ref) : ref;
			Practitioner practitioner = practitionerId == null ? null : practitioners.get(practitionerId);
			if (practitioner != null && speaks(practitioner, member.language())) {
				return true;
			}
		}
		return false;
	}

	static boolean speaks(Practitioner practitioner, String language) {
		return practitioner.getCommunication().stream().anyMatch(spoken -> spoken.getCoding().stream()
				.anyMatch(c -> language.equalsIgnoreCase(c.getCode()))
				&& spoken.getExtensionsByUrl(org.equityfhir.directory.DirectoryCategory.PROFICIENCY).stream()
						.filter(e -> e.getValue() instanceof CodeableConcept)
						.flatMap(e -> ((CodeableConcept) e.getValue()).getCoding().stream())
						.anyMatch(c -> NetworkAdequacy.ilr(c.getCode()) >= MIN_CONCORDANT_ILR));
	}

	private static String patient(Reference reference) {
		return reference.getReferenceElement().toUnqualifiedVersionless().getValue();
	}

	private static Member member(Map<String, Member> members, String id) {
		Member known = members.get(id);
		return known != null ? known
				: new Member(id, Member.UNKNOWN, Member.UNKNOWN, List.of(), Member.UNKNOWN, null, null, false);
	}

	static Map<String, Member> members(Records records) {
		Map<String, Member> members = new HashMap<>();
		for (Patient patient : records.all(Patient.class)) {
			Member member = Member.of(patient);
			members.put(member.id(), member);
		}
		return members;
	}
}
