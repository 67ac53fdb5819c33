package org.equityfhir.referral;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Delivers the outbox: on every instance, one thread claims due notifications from the database with a
 * lease, sends them, and records the answer. A receiver that fails is retried with doubling back-off until
 * {@code equity.referral.retry-for} has passed since the event; a notification whose holder died is claimed
 * again when its lease expires. A notification is only marked delivered after its receiver answered 2xx, so
 * a crash between sending and recording means one more delivery with the same id, never none.
 */
class NotificationDelivery implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(NotificationDelivery.class);

	/** How one channel sends; a thrown exception or a non-null answer is a failed attempt, with its reason. */
	interface Channel {
		Optional<String> send(NotificationStore.Subscription subscription, NotificationStore.Notification notification) throws Exception;
	}

	private final NotificationStore store;
	private final ReferralProperties properties;
	private final Map<String, Channel> channels;
	private final Clock clock;
	private final String owner = "instance-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID();
	private final AtomicBoolean running = new AtomicBoolean();
	private final AtomicBoolean stopped = new AtomicBoolean();
	private final AtomicBoolean nudged = new AtomicBoolean();
	private ScheduledExecutorService executor;

	NotificationDelivery(NotificationStore store, ReferralProperties properties, Map<String, Channel> channels, Clock clock) {
		this.store = store;
		this.properties = properties;
		this.channels = channels;
		this.clock = clock;
	}

	/** Called after a commit that wrote notifications, so this instance delivers them without waiting for its next look. */
	void nudge() {
		ScheduledExecutorService e = executor;
		if (e != null && running.get() && nudged.compareAndSet(false, true)) {
			e.execute(this::deliverDue);
		}
	}

	/** Delivers everything due now; returns how many notifications it attempted. */
	int deliverDue() {
		nudged.set(false);
		int attempted = 0;
		try {
			int claimed;
			do {
				claimed = 0;
				// each is claimed just before it is sent, so a slow receiver cannot outlast the lease of the ones after it
				for (NotificationStore.Notification notification : store.due(clock.instant(), 20)) {
					Instant now = clock.instant();
					if (!stopped.get() && store.claim(notification.id(), owner, now, now.plus(properties.lease()))) {
						attempt(notification);
						attempted++;
						claimed++;
					}
				}
			} while (claimed > 0 && !stopped.get());
		} catch (RuntimeException e) {
			log.warn("Notification delivery pass failed: {}", e.toString());
		}
		return attempted;
	}

	private void attempt(NotificationStore.Notification notification) {
		Optional<NotificationStore.Subscription> subscription = store.subscription(notification.subscriptionId());
		Optional<String> failure;
		try {
			if (subscription.isEmpty() || "off".equals(subscription.get().status())) {
				failure = Optional.of("the subscription was deleted or switched off");
			} else {
				Channel channel = channels.get(subscription.get().channel());
				failure = channel == null ? Optional.of("no " + subscription.get().channel() + " channel on this server")
						: channel.send(subscription.get(), notification);
			}
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			failure = Optional.of("interrupted");
		} catch (Exception e) {
			failure = Optional.of(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
		}
		Instant now = clock.instant();
		if (failure.isEmpty()) {
			store.delivered(notification.id(), now);
			return;
		}
		Instant giveUpAt = notification.createdAt().plus(properties.retryFor());
		Instant next = now.plus(backoff(notification.attempts() + 1));
		if (next.isAfter(giveUpAt) || subscription.isEmpty() || "off".equals(subscription.get().status())) {
			log.warn("Notification {} of subscription {} given up after {} attempts: {}", notification.id(),
					notification.subscriptionId(), notification.attempts() + 1, failure.get());
			store.failed(notification, now, failure.get());
		} else {
			store.retryLater(notification, next, failure.get());
		}
	}

	/** 1st retry after first-backoff, then twice as long each time, never more than max-backoff. */
	Duration backoff(int attempts) {
		Duration wait = properties.firstBackoff();
		for (int i = 1; i < attempts && wait.compareTo(properties.maxBackoff()) < 0; i++) {
			wait = wait.multipliedBy(2);
		}
		return wait.compareTo(properties.maxBackoff()) > 0 ? properties.maxBackoff() : wait;
	}

	@Override
	public void start() {
		if (running.compareAndSet(false, true)) {
			stopped.set(false);
			executor = Executors.newSingleThreadScheduledExecutor(r -> {
				Thread t = new Thread(r, "equity-notification-delivery");
				t.setDaemon(true);
				return t;
			});
			long period = properties.pollInterval().toMillis();
			executor.scheduleWithFixedDelay(this::deliverDue, period, period, TimeUnit.MILLISECONDS);
		}
	}

	@Override
	public void stop() {
		if (running.compareAndSet(true, false)) {
			stopped.set(true);
			executor.shutdownNow();
			try {
				executor.awaitTermination(10, TimeUnit.SECONDS);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return running.get();
	}

	/** The rest-hook channel: POST the Bundle to the endpoint with the subscriber's headers. */
	static Channel restHook(Duration timeout) {
		HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
		return (subscription, notification) -> {
			HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(subscription.endpoint()))
					.timeout(timeout)
					.header("Content-Type", subscription.xml() ? "application/fhir+xml" : "application/fhir+json")
					.header("X-Delivery-Id", notification.id())
					.POST(HttpRequest.BodyPublishers.ofString(notification.body()));
			if (subscription.headers() != null) {
				for (String header : subscription.headers().split("\n")) {
					int colon = header.indexOf(':');
					if (colon > 0) {
						request.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
					}
				}
			}
			HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
			return response.statusCode() / 100 == 2 ? Optional.empty()
					: Optional.of("the endpoint answered HTTP " + response.statusCode());
		};
	}
}
