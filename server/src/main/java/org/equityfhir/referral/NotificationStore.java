package org.equityfhir.referral;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The durable side of notifications, in the server's own database: each subscription's delivery settings
 * and event counter, and the outbox of notifications written in the same transaction as the change that
 * caused them. Any instance may deliver a notification; a lease decides which one does, once.
 */
class NotificationStore {

	/** A subscription as delivery needs it. {@code criteria} is what a resource must match (type?params). */
	record Subscription(String id, String resourceType, String topic, String criteria, String channel,
			String endpoint, String payload, String headers, String status, String mimeType) {

		boolean xml() {
			return mimeType != null && mimeType.contains("xml");
		}
	}

	/** A notification waiting to be delivered. */
	record Notification(String id, String subscriptionId, long eventNumber, String body, Instant createdAt, int attempts) {}

	private final JdbcTemplate jdbc;

	NotificationStore(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	void createSchema() {
		jdbc.execute("CREATE TABLE IF NOT EXISTS eq_subscription (id VARCHAR(64) PRIMARY KEY, resource_type VARCHAR(64) NOT NULL, "
				+ "topic VARCHAR(512), criteria VARCHAR(4000) NOT NULL, channel VARCHAR(20) NOT NULL, endpoint VARCHAR(2000) NOT NULL, "
				+ "payload VARCHAR(20) NOT NULL, headers VARCHAR(4000), status VARCHAR(20) NOT NULL, events BIGINT NOT NULL, "
				+ "last_error VARCHAR(1000), mime_type VARCHAR(100))");
		jdbc.execute("CREATE INDEX IF NOT EXISTS eq_subscription_type ON eq_subscription (resource_type, status)");
		jdbc.execute("CREATE TABLE IF NOT EXISTS eq_notification (id VARCHAR(36) PRIMARY KEY, subscription_id VARCHAR(64) NOT NULL, "
				+ "event_number BIGINT NOT NULL, body VARCHAR(1000000) NOT NULL, created_at TIMESTAMP NOT NULL, "
				+ "next_attempt_at TIMESTAMP NOT NULL, attempts INT NOT NULL, lease_owner VARCHAR(64), lease_until TIMESTAMP, "
				+ "delivered_at TIMESTAMP, failed_at TIMESTAMP, last_error VARCHAR(1000))");
		jdbc.execute("CREATE INDEX IF NOT EXISTS eq_notification_open ON eq_notification (subscription_id, event_number, delivered_at, failed_at)");
	}

	void saveSubscription(Subscription s) {
		forgetLookups();
		int updated = jdbc.update("UPDATE eq_subscription SET resource_type=?, topic=?, criteria=?, channel=?, endpoint=?, payload=?, "
				+ "headers=?, status=?, mime_type=? WHERE id=?", s.resourceType(), s.topic(), s.criteria(), s.channel(), s.endpoint(),
				s.payload(), s.headers(), s.status(), s.mimeType(), s.id());
		if (updated == 0) {
			jdbc.update("INSERT INTO eq_subscription (id, resource_type, topic, criteria, channel, endpoint, payload, headers, status, "
					+ "mime_type, events) VALUES (?,?,?,?,?,?,?,?,?,?,0)", s.id(), s.resourceType(), s.topic(), s.criteria(), s.channel(),
					s.endpoint(), s.payload(), s.headers(), s.status(), s.mimeType());
		}
	}

	void removeSubscription(String id) {
		forgetLookups();
		jdbc.update("UPDATE eq_subscription SET status='off' WHERE id=?", id);
	}

	/**
	 * The active subscriptions on a resource type. Every write asks, so within one database transaction (a
	 * transaction Bundle of thousands of entries) each type is looked up once; a subscription saved in that
	 * transaction clears the lookup.
	 */
	List<Subscription> activeFor(String resourceType) {
		Map<String, List<Subscription>> seen = lookupsOfThisTransaction();
		return seen == null ? queryActiveFor(resourceType) : seen.computeIfAbsent(resourceType, this::queryActiveFor);
	}

	@SuppressWarnings("unchecked")
	private Map<String, List<Subscription>> lookupsOfThisTransaction() {
		if (!TransactionSynchronizationManager.isSynchronizationActive()) {
			return null;
		}
		Map<String, List<Subscription>> seen = (Map<String, List<Subscription>>) TransactionSynchronizationManager.getResource(this);
		if (seen == null) {
			seen = new HashMap<>();
			TransactionSynchronizationManager.bindResource(this, seen);
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCompletion(int status) {
					TransactionSynchronizationManager.unbindResourceIfPossible(NotificationStore.this);
				}
			});
		}
		return seen;
	}

	private void forgetLookups() {
		Map<String, List<Subscription>> seen = lookupsOfThisTransaction();
		if (seen != null) {
			seen.clear();
		}
	}

	private List<Subscription> queryActiveFor(String resourceType) {
		return jdbc.query("SELECT id, resource_type, topic, criteria, channel, endpoint, payload, headers, status, mime_type "
				+ "FROM eq_subscription WHERE resource_type=? AND status='active'", NotificationStore::subscription, resourceType);
	}

	Optional<Subscription> subscription(String id) {
		return jdbc.query("SELECT id, resource_type, topic, criteria, channel, endpoint, payload, headers, status, mime_type "
				+ "FROM eq_subscription WHERE id=?", NotificationStore::subscription, id).stream().findFirst();
	}

	private static Subscription subscription(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
		return new Subscription(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
				rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10));
	}

	/** The next event number of a subscription; the row stays locked until the writing transaction ends. */
	long nextEventNumber(String subscriptionId) {
		jdbc.update("UPDATE eq_subscription SET events = events + 1 WHERE id=?", subscriptionId);
		return jdbc.queryForObject("SELECT events FROM eq_subscription WHERE id=?", Long.class, subscriptionId);
	}

	void enqueue(String id, String subscriptionId, long eventNumber, String body, Instant now) {
		jdbc.update("INSERT INTO eq_notification (id, subscription_id, event_number, body, created_at, next_attempt_at, attempts) "
				+ "VALUES (?,?,?,?,?,?,0)", id, subscriptionId, eventNumber, body, ts(now), ts(now));
	}

	/**
	 * Up to {@code limit} notifications due now, each the oldest open one of its subscription (so that each
	 * subscription's events arrive in order), not held by anyone; {@link #claim} decides who sends each.
	 */
	List<Notification> due(Instant now, int limit) {
		return jdbc.query("SELECT n.id, n.subscription_id, n.event_number, n.body, n.created_at, n.attempts "
				+ "FROM eq_notification n WHERE n.delivered_at IS NULL AND n.failed_at IS NULL AND n.next_attempt_at <= ? "
				+ "AND (n.lease_until IS NULL OR n.lease_until < ?) AND NOT EXISTS (SELECT 1 FROM eq_notification e "
				+ "WHERE e.subscription_id = n.subscription_id AND e.event_number < n.event_number "
				+ "AND e.delivered_at IS NULL AND e.failed_at IS NULL) ORDER BY n.created_at FETCH FIRST " + limit + " ROWS ONLY",
				(rs, i) -> new Notification(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4),
						rs.getTimestamp(5).toInstant(), rs.getInt(6)), ts(now), ts(now));
	}

	/**
	 * Takes a notification for {@code owner} until {@code leaseUntil}, if nobody holds it and it is still open:
	 * a conditional update, so two instances never hold the same notification at once.
	 */
	boolean claim(String id, String owner, Instant now, Instant leaseUntil) {
		return jdbc.update("UPDATE eq_notification SET lease_owner=?, lease_until=? WHERE id=? "
				+ "AND delivered_at IS NULL AND failed_at IS NULL AND (lease_until IS NULL OR lease_until < ?)",
				owner, ts(leaseUntil), id, ts(now)) == 1;
	}

	/** Claims every notification {@link #due} returns that nobody else claims first. */
	List<Notification> claimDue(String owner, Instant now, Instant leaseUntil, int limit) {
		return due(now, limit).stream().filter(n -> claim(n.id(), owner, now, leaseUntil)).toList();
	}

	void delivered(String id, Instant now) {
		jdbc.update("UPDATE eq_notification SET delivered_at=?, attempts=attempts+1, lease_owner=NULL, lease_until=NULL, "
				+ "last_error=NULL WHERE id=?", ts(now), id);
	}

	void retryLater(Notification n, Instant next, String error) {
		jdbc.update("UPDATE eq_notification SET attempts=attempts+1, next_attempt_at=?, lease_owner=NULL, lease_until=NULL, "
				+ "last_error=? WHERE id=?", ts(next), truncate(error), n.id());
		jdbc.update("UPDATE eq_subscription SET last_error=? WHERE id=?", truncate(error), n.subscriptionId());
	}

	/** Gives up on a notification: it stays in the table, visible to operators, and its subscription is in error. */
	void failed(Notification n, Instant now, String error) {
		jdbc.update("UPDATE eq_notification SET attempts=attempts+1, failed_at=?, lease_owner=NULL, lease_until=NULL, last_error=? "
				+ "WHERE id=?", ts(now), truncate(error), n.id());
		jdbc.update("UPDATE eq_subscription SET status='error', last_error=? WHERE id=?", truncate(error), n.subscriptionId());
	}

	/** What {@code $status} reports: events so far, status, undelivered and failed counts, the last error. */
	record Status(String status, long events, long pending, long failed, String lastError) {}

	Optional<Status> status(String subscriptionId) {
		return jdbc.query("SELECT s.status, s.events, s.last_error, "
				+ "(SELECT COUNT(*) FROM eq_notification n WHERE n.subscription_id=s.id AND n.delivered_at IS NULL AND n.failed_at IS NULL), "
				+ "(SELECT COUNT(*) FROM eq_notification n WHERE n.subscription_id=s.id AND n.failed_at IS NOT NULL) "
				+ "FROM eq_subscription s WHERE s.id=?", (rs, i) -> new Status(rs.getString(1), rs.getLong(2), rs.getLong(4),
				rs.getLong(5), rs.getString(3)), subscriptionId).stream().findFirst();
	}

	long count(String condition) {
		return jdbc.queryForObject("SELECT COUNT(*) FROM eq_notification WHERE " + condition, Long.class);
	}

	private static Timestamp ts(Instant instant) {
		return Timestamp.from(instant);
	}

	private static String truncate(String error) {
		return error == null || error.length() <= 1000 ? error : error.substring(0, 1000);
	}
}
