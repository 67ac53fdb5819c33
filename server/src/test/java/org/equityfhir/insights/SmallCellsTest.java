package org.equityfhir.insights;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.junit.jupiter.api.Test;

/** The suppression rule on hand-made tables: primary, subsets, complementary, scores and flags. */
class SmallCellsTest {

	private final SmallCells rule = new SmallCells(11);

	private static Tally rates(Map<String, long[]> strata) {
		Tally tally = new Tally("rate", null, List.of("denominator", "numerator")).subset("numerator", "denominator");
		tally.score = c -> c.get("denominator") == 0 ? null : (double) c.get("numerator") / c.get("denominator");
		tally.scoreFrom = List.of("denominator", "numerator");
		strata.forEach((key, dn) -> {
			Tally.Cell cell = tally.stratum("language", key, k -> new CodeableConcept().setText(k));
			cell.add("denominator", dn[0]);
			cell.add("numerator", dn[1]);
			tally.total.add("denominator", dn[0]);
			tally.total.add("numerator", dn[1]);
		});
		return tally;
	}

	private static Tally.Cell cell(Tally tally, String key) {
		return tally.strata.get("language").get(key);
	}

	@Test
	void countsFromOneToTenAreSuppressedAndZeroAndElevenAreShown() {
		assertThat(rule.small(0)).isFalse();
		assertThat(rule.small(1)).isTrue();
		assertThat(rule.small(10)).isTrue();
		assertThat(rule.small(11)).isFalse();
	}

	@Test
	void oneSmallStratumTakesTheNextSmallestWithItSoNeitherCanBeRecoveredFromTheTotal() {
		Tally tally = rates(new java.util.LinkedHashMap<>(Map.of("so", new long[] {34, 22}, "es", new long[] {12, 0},
				"hmn", new long[] {5, 5}, "en", new long[] {13, 13})));
		rule.apply(tally);
		assertThat(cell(tally, "hmn").suppressed).containsExactlyInAnyOrder("denominator", "numerator");
		assertThat(cell(tally, "es").suppressed).as("complement: smallest other denominator, and the numerator's zero")
				.containsExactlyInAnyOrder("denominator", "numerator");
		assertThat(cell(tally, "so").suppressed).isEmpty();
		assertThat(cell(tally, "en").suppressed).isEmpty();
		assertThat(tally.total.suppressed).isEmpty();
		assertThat(tally.shownScore(cell(tally, "hmn"))).isNull();
		assertThat(tally.scoreSuppressed(cell(tally, "es"))).isTrue();
		assertThat(tally.shownScore(cell(tally, "so"))).isEqualTo(22.0 / 34);
	}

	@Test
	void aPartWhoseDifferenceFromItsWholeIsSmallIsSuppressed() {
		Tally tally = rates(new java.util.LinkedHashMap<>(Map.of("so", new long[] {15, 12}, "en", new long[] {40, 20},
				"es", new long[] {30, 12})));
		rule.apply(tally);
		assertThat(cell(tally, "so").suppressed).as("15 seen, 12 screened would reveal the 3 not screened").contains("numerator");
		assertThat(cell(tally, "so").shown("denominator")).isTrue();
		assertThat(cell(tally, "es").suppressed).as("complement of the numerator").containsExactly("numerator");
		assertThat(cell(tally, "en").suppressed).isEmpty();
	}

	@Test
	void aSingleStratumThatIsSuppressedTakesTheTotalWithIt() {
		Tally tally = new Tally("g", null, List.of("members"));
		tally.declareStratifier("county");
		Tally.Cell only = tally.stratum("county", "Ramsey", k -> new CodeableConcept());
		only.add("members", 30);
		tally.total.add("members", 30);
		tally.subset("members", "members");
		rule.apply(tally);
		assertThat(only.suppressed).isEmpty();
		assertThat(tally.total.suppressed).isEmpty();

		Tally small = rates(Map.of("so", new long[] {20, 15}));
		rule.apply(small);
		assertThat(cell(small, "so").suppressed).containsExactly("numerator");
		assertThat(small.total.suppressed).as("the total equals the one stratum, so it goes too").containsExactly("numerator");
	}

	@Test
	void aFlagIsNotSaidWhereItWouldNarrowASuppressedCount() {
		Tally tally = new Tally("language-om", null, List.of("members", "clinicians"));
		tally.flag = c -> c.get("members") > c.get("clinicians");
		tally.flagFrom = List.of("members", "clinicians");
		Tally.Cell a = tally.stratum("county", "A", k -> new CodeableConcept());
		a.add("members", 7);
		Tally.Cell b = tally.stratum("county", "B", k -> new CodeableConcept());
		b.add("members", 14);
		tally.total.add("members", 21);
		rule.apply(tally);
		assertThat(a.suppressed).containsExactly("members");
		assertThat(b.suppressed).as("complement").containsExactly("members");
		assertThat(tally.shownFlag(a)).isNull();
		assertThat(tally.shownFlag(b)).isNull();
		assertThat(tally.shownFlag(tally.total)).isTrue();
	}
}
