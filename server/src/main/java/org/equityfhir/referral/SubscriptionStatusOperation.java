package org.equityfhir.referral;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;

/**
 * {@code Subscription/[id]/$status} (Subscriptions R5 Backport): the subscription's status, how many events
 * it has had, and, when deliveries are failing, the last error and how many notifications wait or were given up.
 */
class SubscriptionStatusOperation {

	private final NotificationStore store;

	SubscriptionStatusOperation(NotificationStore store) {
		this.store = store;
	}

	@Operation(name = "$status", idempotent = true, type = org.hl7.fhir.r4.model.Subscription.class)
	public Bundle status(@IdParam IdType id, RequestDetails request) {
		String subscriptionId = id.getIdPart();
		NotificationStore.Subscription subscription = store.subscription(subscriptionId)
				.orElseThrow(() -> new ResourceNotFoundException(id));
		NotificationStore.Status state = store.status(subscriptionId).orElseThrow(() -> new ResourceNotFoundException(id));
		return NotificationBundles.queryStatus(subscription, state, request.getFhirServerBase());
	}
}
