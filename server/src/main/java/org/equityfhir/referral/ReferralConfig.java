package org.equityfhir.referral;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import ca.uhn.fhir.jpa.searchparam.matcher.SearchParamMatcher;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import javax.sql.DataSource;
import org.equityfhir.api.FhirRestContribution;
import org.equityfhir.api.FhirServerProperties;
import org.equityfhir.platform.StaticPage;
import org.equityfhir.storage.ClusterLock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The referral capability, registered here and nowhere else: the workflow the server enforces on referral
 * Tasks, and notifications (subscriptions, the outbox written with each change, delivery from the database,
 * {@code Subscription/[id]/$status}). Storage interceptors are registered with the engine, so every write
 * path (REST, transaction, internal) is covered.
 */
@Configuration
class ReferralConfig {

	@Bean
	ReferralTransitionInterceptor referralTransitions(
			FhirContext fhirContext, DaoRegistry daos, IInterceptorService storageInterceptors) {
		ReferralTransitionInterceptor interceptor = new ReferralTransitionInterceptor(fhirContext, daos);
		storageInterceptors.registerInterceptor(interceptor);
		return interceptor;
	}

	/** Our two tables live beside HAPI's; created once, under the cluster lock, before the first write. */
	@Bean
	NotificationStore notificationStore(DataSource dataSource, ClusterLock lock) {
		NotificationStore store = new NotificationStore(new JdbcTemplate(dataSource));
		lock.runExclusively("equity-notification-schema", store::createSchema);
		return store;
	}

	@Bean
	SubscriptionRegistrar subscriptionRegistrar(FhirContext fhirContext, NotificationStore store, SearchParamMatcher matcher,
			ReferralProperties properties, IInterceptorService storageInterceptors) {
		SubscriptionRegistrar registrar = new SubscriptionRegistrar(fhirContext, store, matcher, EmailChannel.configured(properties));
		storageInterceptors.registerInterceptor(registrar);
		return registrar;
	}

	@Bean
	NotificationDelivery notificationDelivery(NotificationStore store, ReferralProperties properties,
			FhirServerProperties server, Environment environment) {
		Map<String, NotificationDelivery.Channel> channels = new HashMap<>();
		channels.put("rest-hook", NotificationDelivery.restHook(properties.deliveryTimeout()));
		if (EmailChannel.configured(properties)) {
			channels.put("email", new EmailChannel(properties, () -> inboxUrl(properties, server, environment)));
		}
		return new NotificationDelivery(store, properties, channels, Clock.systemUTC());
	}

	@Bean
	NotificationOutbox notificationOutbox(FhirContext fhirContext, NotificationStore store, SearchParamMatcher matcher,
			NotificationDelivery delivery, FhirServerProperties server, Environment environment,
			IInterceptorService storageInterceptors) {
		Function<RequestDetails, String> baseUrl = request -> {
			if (server.publicBaseUrl() != null && !server.publicBaseUrl().isBlank()) {
				return server.publicBaseUrl();
			}
			if (request instanceof ServletRequestDetails servlet && servlet.getFhirServerBase() != null) {
				return servlet.getFhirServerBase();
			}
			return localBase(environment);
		};
		NotificationOutbox outbox = new NotificationOutbox(fhirContext, store, matcher, baseUrl, delivery::nudge, Clock.systemUTC());
		storageInterceptors.registerInterceptor(outbox);
		return outbox;
	}

	/**
	 * The referral inbox at /inbox, for the staff of a community organization with no FHIR system: static files
	 * in this package's resources folder ({@code inbox/}), calling only the FHIR API, so the workflow's rules (and
	 * later the security rules) apply to the page exactly as to any client.
	 */
	@Bean
	WebMvcConfigurer referralInbox() {
		return new StaticPage("/inbox", "classpath:/org/equityfhir/referral/inbox/");
	}

	/** {@code [base]/$referral-metrics}. */
	@Bean
	FhirRestContribution referralMetrics(DaoRegistry daos, MatchUrlService matchUrls) {
		return server -> server.registerProvider(new ReferralMetricsOperation(daos, matchUrls));
	}

	@Bean
	FhirRestContribution subscriptionStatus(NotificationStore store) {
		return server -> server.registerProvider(new SubscriptionStatusOperation(store));
	}

	/** Operators watch these: notifications waiting (including those being retried) and those given up. */
	@Bean
	MeterBinder notificationMetrics(NotificationStore store) {
		return registry -> {
			Gauge.builder("equity.notifications.waiting", store, s -> s.count("delivered_at IS NULL AND failed_at IS NULL"))
					.description("Referral notifications not yet delivered (new or being retried)").register(registry);
			Gauge.builder("equity.notifications.failed", store, s -> s.count("failed_at IS NOT NULL"))
					.description("Referral notifications given up after equity.referral.retry-for").register(registry);
		};
	}

	private static String localBase(Environment environment) {
		return "http://localhost:" + environment.getProperty("local.server.port", environment.getProperty("server.port", "8080")) + "/fhir";
	}

	private static String inboxUrl(ReferralProperties properties, FhirServerProperties server, Environment environment) {
		if (properties.inboxUrl() != null && !properties.inboxUrl().isBlank()) {
			return properties.inboxUrl();
		}
		String base = server.publicBaseUrl() != null && !server.publicBaseUrl().isBlank() ? server.publicBaseUrl() : localBase(environment);
		return base.replaceFirst("/fhir/?$", "") + "/inbox/";
	}
}
