package org.equityfhir.referral;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Whether the referral loop closes, and closes equally: per receiving organization and SDOH category, how
 * many referrals were sent, accepted, completed, rejected and never answered, and the median days to accept
 * and to close; optionally per stratum of the patients' preferred language, race or ethnicity. The totals
 * describe an organization's work and are shown whole; a stratum describes patients, so a stratum row in
 * which any count is between 1 and 10 is suppressed, and so is a second stratum wherever only one would be,
 * so that no suppressed cell can be recovered by subtraction from its total.
 */
final class LoopMetrics {

	static final int SMALLEST_SHOWN = 11;

	/** One referral as the metrics see it. */
	record Referral(String organization, String category, String status, Instant sent, Instant acceptedAt, Instant closedAt,
			boolean everAccepted, boolean everRejected, Map<String, String> strata) {

		boolean accepted() {
			return everAccepted;
		}

		boolean neverAnswered() {
			return !everAccepted && !everRejected && !"entered-in-error".equals(status);
		}
	}

	/** A row: counts are null when suppressed. */
	record Row(String organization, String category, String stratum, Integer sent, Integer accepted, Integer completed,
			Integer rejected, Integer neverAnswered, Double medianDaysToAccept, Double medianDaysToClose, boolean suppressed) {}

	private LoopMetrics() {}

	static List<Row> rows(List<Referral> referrals, String stratifier) {
		List<Row> rows = new ArrayList<>();
		Map<String, Map<String, List<Referral>>> groups = referrals.stream().collect(Collectors.groupingBy(Referral::organization,
				TreeMap::new, Collectors.groupingBy(Referral::category, TreeMap::new, Collectors.toList())));
		groups.forEach((organization, byCategory) -> byCategory.forEach((category, group) -> {
			rows.add(row(organization, category, null, group, false, false));
			if (stratifier != null) {
				Map<String, List<Referral>> strata = group.stream().collect(Collectors.groupingBy(
						r -> r.strata().getOrDefault(stratifier, "unknown"), TreeMap::new, Collectors.toList()));
				Map<String, Row> shown = new TreeMap<>();
				strata.forEach((stratum, members) -> shown.put(stratum, row(organization, category, stratum, members, true, false)));
				List<String> hidden = shown.values().stream().filter(Row::suppressed).map(Row::stratum).collect(Collectors.toList());
				if (hidden.size() == 1 && strata.size() > 1) {
					// complementary suppression: one hidden stratum could be recovered from the total, so hide the next smallest too
					strata.entrySet().stream().filter(e -> !hidden.contains(e.getKey()))
							.min(Comparator.comparingInt((Map.Entry<String, List<Referral>> e) -> e.getValue().size()).thenComparing(Map.Entry::getKey))
							.ifPresent(e -> shown.put(e.getKey(), row(organization, category, e.getKey(), e.getValue(), true, true)));
				}
				rows.addAll(shown.values());
			}
		}));
		return rows;
	}

	private static Row row(String organization, String category, String stratum, List<Referral> group, boolean aboutPatients,
			boolean forceSuppress) {
		int sent = group.size();
		int accepted = count(group, Referral::accepted);
		int completed = count(group, r -> "completed".equals(r.status()));
		int rejected = count(group, Referral::everRejected);
		int never = count(group, Referral::neverAnswered);
		boolean suppressed = forceSuppress || aboutPatients && List.of(sent, accepted, completed, rejected, never).stream()
				.anyMatch(n -> n > 0 && n < SMALLEST_SHOWN);
		if (suppressed) {
			return new Row(organization, category, stratum, null, null, null, null, null, null, null, true);
		}
		return new Row(organization, category, stratum, sent, accepted, completed, rejected, never,
				median(group, Referral::acceptedAt), median(group, Referral::closedAt), false);
	}

	private static int count(List<Referral> group, java.util.function.Predicate<Referral> test) {
		return (int) group.stream().filter(test).count();
	}

	/** Median days from sending to the given moment, over the referrals that reached it; null when none did. */
	static Double median(List<Referral> group, Function<Referral, Instant> moment) {
		List<Double> days = group.stream().filter(r -> moment.apply(r) != null && r.sent() != null)
				.map(r -> Duration.between(r.sent(), moment.apply(r)).toMinutes() / 1440.0).sorted().toList();
		if (days.isEmpty()) {
			return null;
		}
		int n = days.size();
		double median = n % 2 == 1 ? days.get(n / 2) : (days.get(n / 2 - 1) + days.get(n / 2)) / 2;
		return Math.round(median * 10) / 10.0;
	}
}
