package org.equityfhir.referral;

import java.time.Instant;
import java.util.Date;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;

/** Notification Bundles in the Subscriptions R5 Backport's R4 form: a history Bundle led by a SubscriptionStatus Parameters. */
final class NotificationBundles {

	static final String STATUS_PROFILE = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4";
	static final String NOTIFICATION_PROFILE = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-notification-r4";

	private NotificationBundles() {}

	/**
	 * One event: its delivery id is the Bundle's id, the same on every attempt, so a receiver can drop a
	 * notification it has already processed.
	 */
	static Bundle event(String deliveryId, NotificationStore.Subscription subscription, long eventNumber, String baseUrl,
			IBaseResource focus, String method, Instant at) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.HISTORY);
		bundle.setId(deliveryId);
		bundle.getMeta().addProfile(NOTIFICATION_PROFILE);
		bundle.setTimestamp(Date.from(at));
		Parameters status = status(subscription, "event-notification", subscription.status(), eventNumber, null);
		Parameters.ParametersParameterComponent event = status.addParameter().setName("notification-event");
		event.addPart().setName("event-number").setValue(new StringType(Long.toString(eventNumber)));
		event.addPart().setName("timestamp").setValue(new InstantType(Date.from(at)));
		String focusId = focus.getIdElement().toUnqualifiedVersionless().getValue();
		if (!"empty".equals(subscription.payload())) {
			event.addPart().setName("focus").setValue(new Reference(focusId));
		}
		statusEntry(bundle, status, subscription, baseUrl);
		if (!"empty".equals(subscription.payload())) {
			Bundle.BundleEntryComponent entry = bundle.addEntry().setFullUrl(baseUrl + "/" + focusId);
			if ("full-resource".equals(subscription.payload())) {
				entry.setResource((Resource) focus);
			}
			entry.getRequest().setMethod("create".equals(method) ? Bundle.HTTPVerb.POST : Bundle.HTTPVerb.PUT)
					.setUrl("create".equals(method) ? focus.getIdElement().getResourceType() : focusId);
			entry.getResponse().setStatus("create".equals(method) ? "201" : "200");
		}
		return bundle;
	}

	/** What {@code Subscription/[id]/$status} answers: a searchset Bundle with one query-status Parameters. */
	static Bundle queryStatus(NotificationStore.Subscription subscription, NotificationStore.Status state, String baseUrl) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET).setTotal(1);
		bundle.setTimestamp(new Date());
		Parameters status = status(subscription, "query-status", state.status(), state.events(),
				state.lastError() == null ? null : new CodeableConcept().setText(state.lastError()
						+ " (" + state.pending() + " notification(s) waiting, " + state.failed() + " given up)"));
		bundle.addEntry().setFullUrl(baseUrl + "/Subscription/" + subscription.id() + "/$status").setResource(status)
				.getSearch().setMode(Bundle.SearchEntryMode.MATCH);
		return bundle;
	}

	private static Parameters status(NotificationStore.Subscription subscription, String type, String state, long events,
			CodeableConcept error) {
		Parameters status = new Parameters();
		status.getMeta().addProfile(STATUS_PROFILE);
		status.addParameter().setName("subscription").setValue(new Reference("Subscription/" + subscription.id()));
		if (subscription.topic() != null) {
			status.addParameter().setName("topic").setValue(new CanonicalType(subscription.topic()));
		}
		status.addParameter().setName("status").setValue(new CodeType(state));
		status.addParameter().setName("type").setValue(new CodeType(type));
		status.addParameter().setName("events-since-subscription-start").setValue(new StringType(Long.toString(events)));
		if (error != null) {
			status.addParameter().setName("error").setValue(error);
		}
		return status;
	}

	private static void statusEntry(Bundle bundle, Parameters status, NotificationStore.Subscription subscription, String baseUrl) {
		Bundle.BundleEntryComponent entry = bundle.addEntry().setFullUrl("urn:uuid:" + bundle.getIdElement().getIdPart());
		entry.setResource(status);
		entry.getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl(baseUrl + "/Subscription/" + subscription.id() + "/$status");
		entry.getResponse().setStatus("200");
	}
}
