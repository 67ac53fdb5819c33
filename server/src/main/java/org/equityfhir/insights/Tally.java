package org.equityfhir.insights;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.hl7.fhir.r4.model.CodeableConcept;

/**
 * What one group of a report counted, before it becomes a MeasureReport group: the population totals,
 * the same populations per stratum of each stratifier, a score and a flag computed from the counts, and
 * which cells {@link SmallCells} suppressed. Nothing here knows about FHIR storage.
 */
final class Tally {

	/** A score computed from a cell's counts; null when it cannot be computed (a zero denominator). */
	interface Score extends Function<Map<String, Long>, Double> {}

	/** A yes/no judgement from a cell's counts (the adequacy gap); null when it cannot be said. */
	interface Flag extends Function<Map<String, Long>, Boolean> {}

	/** One row of counts: the group's totals, or one stratum. */
	static final class Cell {
		final String stratifier;
		final String key;
		final CodeableConcept value;
		final Map<String, Long> counts = new LinkedHashMap<>();
		/** A precomputed score (a median) that depends on {@link #scoreFrom}; otherwise the group's Score applies. */
		Double precomputedScore;
		final Set<String> suppressed = new HashSet<>();
		/** Per-unit values (days to close) whose median is the score, for continuous-variable groups. */
		final List<Double> observations = new ArrayList<>();
		/** Who is in each population (the total cell only): patient-level, shown to administrators alone. */
		final Map<String, List<String>> subjects = new LinkedHashMap<>();

		Cell(String stratifier, String key, CodeableConcept value) {
			this.stratifier = stratifier;
			this.key = key;
			this.value = value;
		}

		long count(String population) {
			return counts.getOrDefault(population, 0L);
		}

		void add(String population, long n) {
			counts.merge(population, n, Long::sum);
		}

		boolean shown(String population) {
			return !suppressed.contains(population);
		}
	}

	final String id;
	final CodeableConcept code;
	final List<String> populations;
	final Cell total;
	final Map<String, Map<String, Cell>> strata = new LinkedHashMap<>();
	/** Pairs {part, whole}: the part's members are all in the whole (numerator in denominator). */
	final List<String[]> subsets = new ArrayList<>();
	Score score;
	/** The populations the score is computed from: suppressed if any of them is. */
	List<String> scoreFrom = List.of();
	Flag flag;
	List<String> flagFrom = List.of();

	Tally(String id, CodeableConcept code, List<String> populations) {
		this.id = id;
		this.code = code;
		this.populations = populations;
		this.total = new Cell(null, null, null);
		populations.forEach(p -> total.counts.put(p, 0L));
	}

	Tally subset(String part, String whole) {
		subsets.add(new String[] {part, whole});
		return this;
	}

	/** The stratum of {@code stratifier} keyed {@code key}, made on first use with every population at 0. */
	Cell stratum(String stratifier, String key, Function<String, CodeableConcept> value) {
		return strata.computeIfAbsent(stratifier, s -> new LinkedHashMap<>()).computeIfAbsent(key, k -> {
			Cell cell = new Cell(stratifier, k, value.apply(k));
			populations.forEach(p -> cell.counts.put(p, 0L));
			return cell;
		});
	}

	void declareStratifier(String stratifier) {
		strata.computeIfAbsent(stratifier, s -> new LinkedHashMap<>());
	}

	/** The score of a cell as shown: null when suppressed or not computable. */
	Double shownScore(Cell cell) {
		if (scoreFrom.stream().anyMatch(p -> !cell.shown(p))) {
			return null;
		}
		return cell.precomputedScore != null ? cell.precomputedScore : score == null ? null : score.apply(cell.counts);
	}

	boolean scoreSuppressed(Cell cell) {
		return scoreFrom.stream().anyMatch(p -> !cell.shown(p));
	}

	Boolean shownFlag(Cell cell) {
		if (flag == null || flagFrom.stream().anyMatch(p -> !cell.shown(p))) {
			return null;
		}
		return flag.apply(cell.counts);
	}

	List<Cell> cells() {
		List<Cell> all = new ArrayList<>();
		all.add(total);
		strata.values().forEach(s -> all.addAll(s.values()));
		return all;
	}
}
