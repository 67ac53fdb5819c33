package org.equityfhir.sdoh;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the instruments' authors say the answers mean, by LOINC question code: the Gravity SDOH domain(s)
 * a question informs (Gravity's guidance: the domain follows the question and its whole answer list,
 * whatever the answer), the answers the instrument counts as a possible need (flagged POS, Gravity's
 * Observation.interpretation guidance), the Hunger Vital Sign risk rule and the HITS score.
 */
final class ScreeningRules {

	static final String LOINC = "http://loinc.org";

	static final String HVS_WORRIED = "88122-7";
	static final String HVS_RAN_OUT = "88123-5";
	static final String HVS_RISK = "88124-3";
	static final String OFTEN_TRUE = "LA28397-0";
	static final String SOMETIMES_TRUE = "LA6729-3";
	static final String NEVER_TRUE = "LA28398-8";
	static final String DONT_KNOW = "LA15775-2";
	static final String AT_RISK = "LA19952-3";
	static final String NO_RISK = "LA19983-8";

	static final List<String> HITS_ITEMS = List.of("95618-5", "95617-7", "95616-9", "95615-1");
	static final String HITS_TOTAL = "95614-4";
	/** The AHC tool: a HITS total above 10 means the person may not be safe. */
	static final int HITS_POSITIVE_ABOVE = 10;

	private record Rule(List<String> domains, Set<String> positive) {}

	private static final Map<String, Rule> RULES = Map.of(
			"71802-3", new Rule(List.of("housing-instability", "homelessness"), Set.of("LA31994-9", "LA31995-6")),
			"96778-6", new Rule(List.of("inadequate-housing"),
					Set.of("LA31996-4", "LA28580-1", "LA31997-2", "LA31998-0", "LA31999-8", "LA32000-4", "LA32001-2")),
			HVS_WORRIED, new Rule(List.of("food-insecurity"), Set.of(OFTEN_TRUE, SOMETIMES_TRUE)),
			HVS_RAN_OUT, new Rule(List.of("food-insecurity"), Set.of(OFTEN_TRUE, SOMETIMES_TRUE)),
			"93030-5", new Rule(List.of("transportation-insecurity"), Set.of("LA33-6")),
			"96779-4", new Rule(List.of("utility-insecurity"), Set.of("LA33-6", "LA32002-0")),
			// HITS items are positive only through their total.
			"95618-5", new Rule(List.of("intimate-partner-violence"), Set.of()),
			"95617-7", new Rule(List.of("intimate-partner-violence"), Set.of()),
			"95616-9", new Rule(List.of("intimate-partner-violence"), Set.of()),
			"95615-1", new Rule(List.of("intimate-partner-violence"), Set.of()));

	private static final Map<String, Integer> HITS_SCORES = Map.of(
			"LA6270-8", 1, "LA10066-1", 2, "LA10082-8", 3, "LA16644-9", 4, "LA6482-9", 5);

	private ScreeningRules() {}

	/** Gravity SDOH domain codes of a question; sdoh-category-unspecified for a question we have no rule for. */
	static List<String> domains(String questionCode) {
		Rule rule = RULES.get(questionCode);
		return rule == null ? List.of("sdoh-category-unspecified") : rule.domains();
	}

	static boolean isPositive(String questionCode, String answerCode) {
		Rule rule = RULES.get(questionCode);
		return rule != null && answerCode != null && rule.positive().contains(answerCode);
	}

	static int hitsScore(String answerCode) {
		Integer score = HITS_SCORES.get(answerCode);
		if (score == null) {
			throw new IllegalArgumentException("Not a HITS frequency answer: " + answerCode);
		}
		return score;
	}

	/** The Hunger Vital Sign food insecurity risk, from the answer codes of its two questions (null: unanswered). */
	enum HvsRisk {
		AT_RISK, NO_RISK, UNDECIDED;

		/**
		 * At risk when either question is Often or Sometimes true; no risk only when both are Never true. Any
		 * other combination (a question unanswered or answered Don't know/refused, the other Never true or
		 * also undecided) decides nothing: the instrument is validated on both answers, so a "no risk" read
		 * from one would reassure falsely.
		 */
		static HvsRisk of(String worried, String ranOut) {
			if (isPositive(HVS_WORRIED, worried) || isPositive(HVS_RAN_OUT, ranOut)) {
				return AT_RISK;
			}
			return NEVER_TRUE.equals(worried) && NEVER_TRUE.equals(ranOut) ? NO_RISK : UNDECIDED;
		}
	}
}
