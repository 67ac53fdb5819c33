package org.equityfhir.insights;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Small-cell suppression, the one rule every equity report follows (docs/equity.md):
 * <ol>
 * <li><b>Primary.</b> A count from 1 to threshold − 1 is suppressed. Zero is shown: it points at no one.
 * <li><b>Subsets.</b> Where one population lies inside another (numerator inside denominator, members
 * without access inside members), the difference is a count too: if it is from 1 to threshold − 1, the part
 * is suppressed, so that "15 members, 12 without access" cannot reveal the 3 with access.
 * <li><b>Complementary.</b> Each stratifier's strata add up to the total. Wherever a population has exactly
 * one suppressed cell in that sum (a stratum, or the total), the smallest other stratum is suppressed too
 * (or, with no other stratum, the total), so that no suppressed count can be recovered by subtraction.
 * Repeated until nothing changes.
 * <li>A score or flag computed from a suppressed count is suppressed with it.
 * </ol>
 */
final class SmallCells {

	private final int threshold;

	SmallCells(int threshold) {
		this.threshold = threshold;
	}

	int threshold() {
		return threshold;
	}

	boolean small(long n) {
		return n > 0 && n < threshold;
	}

	void apply(Tally tally) {
		for (Tally.Cell cell : tally.cells()) {
			for (Map.Entry<String, Long> count : cell.counts.entrySet()) {
				if (small(count.getValue())) {
					cell.suppressed.add(count.getKey());
				}
			}
			for (String[] pair : tally.subsets) {
				if (cell.shown(pair[1]) && small(cell.count(pair[1]) - cell.count(pair[0]))) {
					cell.suppressed.add(pair[0]);
				}
			}
		}
		boolean changed = true;
		while (changed) {
			changed = false;
			for (Map<String, Tally.Cell> strata : tally.strata.values()) {
				for (String population : tally.populations) {
					changed |= complement(tally.total, strata.values().stream().toList(), population);
				}
			}
		}
	}

	/** With exactly one hidden term in total = sum of strata, hides one more: the smallest other stratum, else the total. */
	private boolean complement(Tally.Cell total, List<Tally.Cell> strata, String population) {
		long hiddenStrata = strata.stream().filter(c -> !c.shown(population)).count();
		long hidden = hiddenStrata + (total.shown(population) ? 0 : 1);
		if (hidden != 1) {
			return false;
		}
		Optional<Tally.Cell> next = strata.stream().filter(c -> c.shown(population))
				.min(Comparator.comparingLong((Tally.Cell c) -> c.count(population)).thenComparing(c -> c.key));
		if (next.isPresent()) {
			next.get().suppressed.add(population);
			return true;
		}
		// every stratum is shown but one: the hidden one is the total (nothing to add then) or the only stratum
		return total.suppressed.add(population);
	}
}
