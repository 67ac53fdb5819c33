package org.equityfhir.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The outbox's claiming rules on a real (embedded H2) database: a notification is claimed by one instance
 * at a time, in event order per subscription, again after its holder's lease lapses, and given up after
 * the retry window. PostgreSQL runs the same statements in the integration tests.
 */
class NotificationStoreTest {

	private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
	private NotificationStore store;
	private DriverManagerDataSource dataSource;

	@BeforeEach
	void database() {
		dataSource = new DriverManagerDataSource("jdbc:h2:mem:outbox-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
		store = new NotificationStore(new JdbcTemplate(dataSource));
		store.createSchema();
		store.saveSubscription(new NotificationStore.Subscription("s1", "Task", null, "Task", "rest-hook", "http://x", "id-only", null, "active", null));
		store.saveSubscription(new NotificationStore.Subscription("s2", "Task", null, "Task", "rest-hook", "http://y", "id-only", null, "active", null));
	}

	private void event(String subscription) {
		long n = store.nextEventNumber(subscription);
		store.enqueue(subscription + "-" + n, subscription, n, "{}", T0);
	}

	@Test
	void twoInstancesNeverClaimTheSameNotificationAndEachSubscriptionGoesInOrder() {
		for (int i = 0; i < 3; i++) {
			event("s1");
			event("s2");
		}
		List<NotificationStore.Notification> a = store.claimDue("a", T0, T0.plusSeconds(60), 20);
		List<NotificationStore.Notification> b = store.claimDue("b", T0, T0.plusSeconds(60), 20);
		assertThat(a).extracting(NotificationStore.Notification::id).containsExactlyInAnyOrder("s1-1", "s2-1");
		assertThat(b).as("the heads are leased to a, and later events wait for them").isEmpty();

		store.delivered("s1-1", T0);
		assertThat(store.claimDue("b", T0, T0.plusSeconds(60), 20)).extracting(NotificationStore.Notification::id).containsExactly("s1-2");
	}

	@Test
	void aNotificationWhoseHolderDiedIsClaimedAgainWhenTheLeaseLapses() {
		event("s1");
		assertThat(store.claimDue("dead", T0, T0.plusSeconds(60), 20)).hasSize(1);
		assertThat(store.claimDue("alive", T0.plusSeconds(59), T0.plusSeconds(119), 20)).isEmpty();
		assertThat(store.claimDue("alive", T0.plusSeconds(61), T0.plusSeconds(121), 20)).extracting(NotificationStore.Notification::id)
				.containsExactly("s1-1");
	}

	@Test
	void aTransactionLooksUpEachTypesSubscriptionsOnceUntilItSavesOne() {
		JdbcTemplate other = new JdbcTemplate(dataSource);
		new org.springframework.transaction.support.TransactionTemplate(
				new org.springframework.jdbc.datasource.DataSourceTransactionManager(dataSource)).executeWithoutResult(tx -> {
			assertThat(store.activeFor("Task")).hasSize(2);
			other.update("UPDATE eq_subscription SET status='off' WHERE id='s2'");
			assertThat(store.activeFor("Task")).as("looked up once per transaction").hasSize(2);
			store.saveSubscription(new NotificationStore.Subscription("s3", "Task", null, "Task", "rest-hook", "http://z", "id-only", null, "active", null));
			assertThat(store.activeFor("Task")).extracting(NotificationStore.Subscription::id).containsExactlyInAnyOrder("s1", "s3");
		});
		assertThat(store.activeFor("Task")).extracting(NotificationStore.Subscription::id).containsExactlyInAnyOrder("s1", "s3");
	}

	@Test
	void eventNumbersCountPerSubscription() {
		event("s1");
		event("s1");
		event("s2");
		assertThat(store.status("s1").orElseThrow().events()).isEqualTo(2);
		assertThat(store.status("s2").orElseThrow().events()).isEqualTo(1);
		assertThat(store.status("s1").orElseThrow().pending()).isEqualTo(2);
	}

	@Test
	void deliveryRetriesWithDoublingBackOffThenGivesUpAndPutsTheSubscriptionInError() {
		event("s1");
		ReferralProperties properties = new ReferralProperties(Duration.ofSeconds(2), Duration.ofMinutes(1), Duration.ofSeconds(5),
				Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofSeconds(10), null, 25, "x@y", null);
		MutableClock clock = new MutableClock(T0);
		List<Instant> attempts = new ArrayList<>();
		NotificationDelivery delivery = new NotificationDelivery(store, properties, Map.of("rest-hook", (s, n) -> {
			attempts.add(clock.instant());
			return Optional.of("the endpoint answered HTTP 503");
		}), clock);
		assertThat(delivery.backoff(1)).isEqualTo(Duration.ofSeconds(5));
		assertThat(delivery.backoff(2)).isEqualTo(Duration.ofSeconds(10));
		assertThat(delivery.backoff(12)).isEqualTo(Duration.ofMinutes(10));

		for (int minute = 0; minute <= 40; minute++) {
			clock.now = T0.plus(Duration.ofMinutes(minute));
			delivery.deliverDue();
		}
		List<Duration> gaps = new ArrayList<>();
		for (int i = 1; i < attempts.size(); i++) {
			gaps.add(Duration.between(attempts.get(i - 1), attempts.get(i)));
		}
		assertThat(gaps).as("waits never shrink").isSorted();
		assertThat(attempts).as("retried within the window, then given up").hasSize(9);
		assertThat(attempts.get(attempts.size() - 1)).isBefore(T0.plus(Duration.ofMinutes(30)));
		NotificationStore.Status status = store.status("s1").orElseThrow();
		assertThat(status.status()).isEqualTo("error");
		assertThat(status.failed()).isEqualTo(1);
		assertThat(status.pending()).isZero();
		assertThat(status.lastError()).contains("503");
	}

	private static final class MutableClock extends Clock {
		Instant now;

		MutableClock(Instant now) {
			this.now = now;
		}

		@Override
		public Instant instant() {
			return now;
		}

		@Override
		public java.time.ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}
	}
}
