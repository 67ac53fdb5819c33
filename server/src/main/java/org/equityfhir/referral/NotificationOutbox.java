package org.equityfhir.referral;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.searchparam.matcher.InMemoryMatchResult;
import ca.uhn.fhir.jpa.searchparam.matcher.SearchParamMatcher;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Function;
import org.equityfhir.api.InterceptorOrder;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Writes a notification for each active subscription a created or updated resource matches, in the same
 * database transaction as the change: the change and its notifications are stored together or not at all.
 * Delivery happens after commit, from the database ({@link NotificationDelivery}).
 */
@Interceptor(order = InterceptorOrder.WORKFLOW_RULES + 10)
class NotificationOutbox {

	private static final Logger log = LoggerFactory.getLogger(NotificationOutbox.class);

	private final FhirContext fhirContext;
	private final NotificationStore store;
	private final SearchParamMatcher matcher;
	private final Function<RequestDetails, String> baseUrl;
	private final Runnable nudge;
	private final Clock clock;

	NotificationOutbox(FhirContext fhirContext, NotificationStore store, SearchParamMatcher matcher,
			Function<RequestDetails, String> baseUrl, Runnable nudge, Clock clock) {
		this.fhirContext = fhirContext;
		this.store = store;
		this.matcher = matcher;
		this.baseUrl = baseUrl;
		this.nudge = nudge;
		this.clock = clock;
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource, RequestDetails request) {
		changed(resource, "create", request);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource updated, RequestDetails request) {
		changed(updated, "update", request);
	}

	private void changed(IBaseResource resource, String method, RequestDetails request) {
		String type = fhirContext.getResourceType(resource);
		boolean any = false;
		for (NotificationStore.Subscription subscription : store.activeFor(type)) {
			SubscriptionTopics topic = SubscriptionTopics.byUrl(subscription.topic()).orElse(null);
			if (topic != null && !topic.methods.contains(method)) {
				continue;
			}
			if (!matches(subscription, resource)) {
				continue;
			}
			Instant now = clock.instant();
			long eventNumber = store.nextEventNumber(subscription.id());
			String deliveryId = UUID.randomUUID().toString();
			String body = (subscription.xml() ? fhirContext.newXmlParser() : fhirContext.newJsonParser()).encodeResourceToString(NotificationBundles.event(
					deliveryId, subscription, eventNumber, baseUrl.apply(request), resource, method, now));
			store.enqueue(deliveryId, subscription.id(), eventNumber, body, now);
			any = true;
		}
		if (any && TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					nudge.run();
				}
			});
		}
	}

	private boolean matches(NotificationStore.Subscription subscription, IBaseResource resource) {
		if (!subscription.criteria().contains("?")) {
			return true;
		}
		InMemoryMatchResult result = matcher.match(subscription.criteria(), resource, new SystemRequestDetails());
		if (!result.supported()) {
			log.warn("Subscription {} cannot be matched in memory ({}); no notification written", subscription.id(),
					result.getUnsupportedReason());
			return false;
		}
		return result.matched();
	}
}
