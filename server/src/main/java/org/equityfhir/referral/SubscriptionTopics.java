package org.equityfhir.referral;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The topics a subscription may name (the SDOH Clinical Care guide's, in the Subscriptions R5 Backport's R4
 * form): what resource each watches, which writes trigger it, what a resource must be to count, and which
 * filters a subscriber may add.
 */
enum SubscriptionTopics {
	TASK("http://hl7.org/fhir/us/sdoh-clinicalcare/SubscriptionTopic/Task", "Task",
			Set.of("create", "update"), "status:not=draft&intent=order",
			Set.of("_lastUpdated", "code", "owner", "requester", "status")),
	/** The guide spells this canonical with a lower-case r; the upper-case spelling is accepted as the same topic. */
	SERVICE_REQUEST("http://hl7.org/fhir/us/sdoh-clinicalcare/SubscriptionTopic/Servicerequest", "ServiceRequest",
			Set.of("update"), "", Set.of("_lastUpdated", "_id"));

	static final String FILTER_CRITERIA = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-filter-criteria";
	static final String PAYLOAD_CONTENT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-payload-content";

	final String url;
	final String resourceType;
	final Set<String> methods;
	final String current;
	final Set<String> filters;

	SubscriptionTopics(String url, String resourceType, Set<String> methods, String current, Set<String> filters) {
		this.url = url;
		this.resourceType = resourceType;
		this.methods = methods;
		this.current = current;
		this.filters = filters;
	}

	static Optional<SubscriptionTopics> byUrl(String url) {
		String unversioned = url == null ? "" : url.split("\\|")[0];
		return List.of(values()).stream().filter(t -> t.url.equalsIgnoreCase(unversioned)).findFirst();
	}
}
