package org.equityfhir.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The loop measures and their small-cell suppression, on referrals described directly. */
class LoopMetricsTest {

	private static final Instant SENT = Instant.parse("2026-10-01T09:00:00Z");

	private static LoopMetrics.Referral referral(String status, int daysToAccept, int daysToClose, String language) {
		boolean accepted = daysToAccept >= 0;
		return new LoopMetrics.Referral("Organization/shelf", "food-insecurity", status, SENT,
				accepted ? SENT.plus(Duration.ofDays(daysToAccept)) : null,
				daysToClose >= 0 ? SENT.plus(Duration.ofDays(daysToClose)) : null,
				accepted, "rejected".equals(status), Map.of("language", language));
	}

	private static List<LoopMetrics.Referral> many(int n, String status, int daysToAccept, int daysToClose, String language) {
		List<LoopMetrics.Referral> list = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			list.add(referral(status, daysToAccept < 0 ? -1 : daysToAccept + (i % 3), daysToClose < 0 ? -1 : daysToClose + (i % 3), language));
		}
		return list;
	}

	@Test
	void countsAndMediansPerOrganizationAndCategory() {
		List<LoopMetrics.Referral> referrals = new ArrayList<>(many(12, "completed", 2, 10, "so"));
		referrals.addAll(many(11, "rejected", -1, -1, "es"));
		referrals.addAll(many(11, "requested", -1, -1, "so"));
		LoopMetrics.Row row = LoopMetrics.rows(referrals, null).get(0);
		assertThat(row.suppressed()).isFalse();
		assertThat(row.sent()).isEqualTo(34);
		assertThat(row.accepted()).isEqualTo(12);
		assertThat(row.completed()).isEqualTo(12);
		assertThat(row.rejected()).isEqualTo(11);
		assertThat(row.neverAnswered()).isEqualTo(11);
		assertThat(row.medianDaysToAccept()).isEqualTo(3.0);
		assertThat(row.medianDaysToClose()).isEqualTo(11.0);
	}

	@Test
	void aCellUnderElevenIsSuppressedAndSoIsASecondStratumSoNoneCanBeRecoveredFromTheTotal() {
		List<LoopMetrics.Referral> referrals = new ArrayList<>(many(30, "completed", 1, 5, "so"));
		referrals.addAll(many(15, "completed", 1, 5, "es"));
		referrals.addAll(many(4, "completed", 1, 5, "hmn"));
		List<LoopMetrics.Row> rows = LoopMetrics.rows(referrals, "language");
		assertThat(rows.get(0).stratum()).isNull();
		assertThat(rows.get(0).sent()).isEqualTo(49);
		LoopMetrics.Row hmong = rows.stream().filter(r -> "hmn".equals(r.stratum())).findFirst().orElseThrow();
		LoopMetrics.Row spanish = rows.stream().filter(r -> "es".equals(r.stratum())).findFirst().orElseThrow();
		LoopMetrics.Row somali = rows.stream().filter(r -> "so".equals(r.stratum())).findFirst().orElseThrow();
		assertThat(hmong.suppressed()).isTrue();
		assertThat(hmong.sent()).isNull();
		assertThat(spanish.suppressed()).as("the next smallest is hidden too").isTrue();
		assertThat(somali.suppressed()).isFalse();
		assertThat(somali.sent()).isEqualTo(30);
	}

	@Test
	void aStratumWithAnySmallCountIsSuppressedWholeWhileTheOrganizationsTotalsStay() {
		List<LoopMetrics.Referral> referrals = new ArrayList<>(many(20, "completed", 1, 5, "so"));
		referrals.addAll(many(3, "rejected", -1, -1, "so"));
		List<LoopMetrics.Row> rows = LoopMetrics.rows(referrals, "language");
		assertThat(rows.get(0).suppressed()).isFalse();
		assertThat(rows.get(0).rejected()).isEqualTo(3);
		LoopMetrics.Row somali = rows.get(1);
		assertThat(somali.suppressed()).isTrue();
		assertThat(somali.sent()).isNull();
		assertThat(somali.medianDaysToAccept()).isNull();
	}
}
