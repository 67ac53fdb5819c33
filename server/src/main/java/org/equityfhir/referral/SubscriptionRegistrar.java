package org.equityfhir.referral;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.searchparam.matcher.InMemoryMatchResult;
import ca.uhn.fhir.jpa.searchparam.matcher.SearchParamMatcher;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.equityfhir.api.InterceptorOrder;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Subscription.SubscriptionChannelType;
import org.hl7.fhir.r4.model.Subscription.SubscriptionStatus;

/**
 * Checks a Subscription when it is written, activates it, and keeps the delivery settings the outbox needs
 * (topic or criteria, channel, payload) in step with it, in the same transaction. A subscription the server
 * cannot honour is refused with 422 rather than accepted and silently never delivered.
 */
@Interceptor(order = InterceptorOrder.WORKFLOW_RULES)
class SubscriptionRegistrar {

	private final FhirContext fhirContext;
	private final NotificationStore store;
	private final SearchParamMatcher matcher;
	private final boolean emailAvailable;

	SubscriptionRegistrar(FhirContext fhirContext, NotificationStore store, SearchParamMatcher matcher, boolean emailAvailable) {
		this.fhirContext = fhirContext;
		this.store = store;
		this.matcher = matcher;
		this.emailAvailable = emailAvailable;
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
	public void beforeCreate(IBaseResource resource) {
		if (resource instanceof Subscription subscription) {
			check(subscription);
		}
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void beforeUpdate(IBaseResource previous, IBaseResource updated) {
		if (updated instanceof Subscription subscription) {
			check(subscription);
		}
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(IBaseResource resource) {
		if (resource instanceof Subscription subscription) {
			store.saveSubscription(settings(subscription));
		}
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(IBaseResource previous, IBaseResource updated) {
		if (updated instanceof Subscription subscription) {
			store.saveSubscription(settings(subscription));
		}
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
	public void deleted(IBaseResource resource) {
		if (resource instanceof Subscription subscription) {
			store.removeSubscription(subscription.getIdElement().getIdPart());
		}
	}

	private void check(Subscription subscription) {
		List<String[]> problems = new ArrayList<>();
		String criteria = subscription.getCriteria();
		Optional<SubscriptionTopics> topic = SubscriptionTopics.byUrl(criteria);
		if (topic.isPresent()) {
			for (Extension filter : subscription.getCriteriaElement().getExtensionsByUrl(SubscriptionTopics.FILTER_CRITERIA)) {
				String value = filter.getValue() == null ? "" : filter.getValue().primitiveValue();
				String query = query(topic.get().resourceType, value);
				for (String part : query.split("&")) {
					String name = part.split("[=:]", 2)[0];
					if (!topic.get().filters.contains(name)) {
						problems.add(problem("Subscription.criteria", "Subscription.criteria: the filter '" + value + "' uses '" + name + "', which the topic "
								+ topic.get().url + " does not offer (it offers " + String.join(", ", topic.get().filters.stream().sorted().toList()) + ")"));
					}
				}
			}
		} else if (criteria == null || !criteria.matches("[A-Z][A-Za-z]+(\\?.*)?") || !fhirContext.getResourceTypes().contains(criteria.split("\\?")[0])) {
			problems.add(problem("Subscription.criteria", "Subscription.criteria must be a topic this server offers (" + String.join(", ",
					List.of(SubscriptionTopics.values()).stream().map(t -> t.url).toList())
					+ ") or an R4 search such as Task?owner=Organization/123"));
		}
		if (problems.isEmpty()) {
			String matchable = settings(subscription).criteria();
			if (matchable.contains("?")) {
				IBaseResource probe = fhirContext.getResourceDefinition(matchable.split("\\?")[0]).newInstance();
				InMemoryMatchResult result;
				try {
					result = matcher.match(matchable, probe, new SystemRequestDetails());
				} catch (RuntimeException e) {
					result = InMemoryMatchResult.unsupportedFromReason(e.getMessage());
				}
				if (!result.supported()) {
					problems.add(problem("Subscription.criteria", "Subscription.criteria: '" + matchable
							+ "' cannot be evaluated when a resource changes (" + result.getUnsupportedReason()
							+ "); use plain search parameters of the resource, without chains"));
				}
			}
		}
		SubscriptionChannelType type = subscription.getChannel().getType();
		String endpoint = subscription.getChannel().getEndpoint();
		if (type == SubscriptionChannelType.RESTHOOK) {
			if (endpoint == null || !(endpoint.startsWith("http://") || endpoint.startsWith("https://")) || !validUri(endpoint)) {
				problems.add(problem("Subscription.channel.endpoint", "Subscription.channel.endpoint must be an http or https URL for a rest-hook channel"));
			}
		} else if (type == SubscriptionChannelType.EMAIL) {
			if (!emailAvailable) {
				problems.add(problem("Subscription.channel.type", "Subscription.channel.type: e-mail is not available on this server (no SMTP host is configured)"));
			} else if (endpoint == null || !endpoint.matches("mailto:[^@\\s]+@[^@\\s]+")) {
				problems.add(problem("Subscription.channel.endpoint", "Subscription.channel.endpoint must be a mailto: address for an email channel"));
			}
		} else {
			problems.add(problem("Subscription.channel.type", "Subscription.channel.type must be rest-hook or email"));
		}
		String mime = subscription.getChannel().getPayload();
		if (mime != null && !List.of("application/fhir+json", "application/fhir+xml", "application/json", "application/xml").contains(mime)) {
			problems.add(problem("Subscription.channel.payload", "Subscription.channel.payload: notifications are sent as "
					+ "application/fhir+json or application/fhir+xml, not " + mime));
		}
		String payload = payload(subscription);
		if (!List.of("empty", "id-only", "full-resource").contains(payload)) {
			problems.add(problem("Subscription.channel.payload", "Subscription.channel.payload: the content '" + payload + "' must be empty, id-only or full-resource"));
		}
		if (!problems.isEmpty()) {
			OperationOutcome outcome = new OperationOutcome();
			problems.forEach(problem -> outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR)
					.setCode(OperationOutcome.IssueType.BUSINESSRULE).setDiagnostics(problem[1])
					.addExpression(problem[0]).getLocation().add(new StringType(problem[0])));
			throw new UnprocessableEntityException(fhirContext, outcome);
		}
		if (subscription.getStatus() == null || subscription.getStatus() == SubscriptionStatus.REQUESTED
				|| subscription.getStatus() == SubscriptionStatus.ERROR) {
			subscription.setStatus(SubscriptionStatus.ACTIVE);
			subscription.setError(null);
		}
	}

	private static String[] problem(String expression, String message) {
		return new String[] {expression, message};
	}

	private NotificationStore.Subscription settings(Subscription subscription) {
		Optional<SubscriptionTopics> topic = SubscriptionTopics.byUrl(subscription.getCriteria());
		String resourceType;
		String criteria;
		if (topic.isPresent()) {
			resourceType = topic.get().resourceType;
			List<String> parts = new ArrayList<>();
			if (!topic.get().current.isEmpty()) {
				parts.add(topic.get().current);
			}
			subscription.getCriteriaElement().getExtensionsByUrl(SubscriptionTopics.FILTER_CRITERIA).forEach(f ->
					parts.add(query(resourceType, f.getValue().primitiveValue())));
			criteria = resourceType + (parts.isEmpty() ? "" : "?" + String.join("&", parts));
		} else {
			resourceType = subscription.getCriteria().split("\\?")[0];
			criteria = subscription.getCriteria();
		}
		String headers = String.join("\n", subscription.getChannel().getHeader().stream().map(h -> h.getValue()).toList());
		return new NotificationStore.Subscription(subscription.getIdElement().getIdPart(), resourceType,
				topic.map(t -> t.url).orElse(null), criteria, subscription.getChannel().getType() == null ? "none" : subscription.getChannel().getType().toCode(),
				subscription.getChannel().getEndpoint(), payload(subscription), headers.isEmpty() ? null : headers,
				subscription.getStatus() == null ? "off" : subscription.getStatus().toCode(),
				subscription.getChannel().hasPayload() ? subscription.getChannel().getPayload() : "application/fhir+json");
	}

	/** A filter's query part: {@code Task?owner=x}, {@code owner=x} and {@code Task.owner=x} all mean owner=x. */
	private static String query(String resourceType, String filter) {
		String f = filter == null ? "" : filter.trim();
		if (f.startsWith(resourceType + "?") || f.startsWith(resourceType + ".")) {
			f = f.substring(resourceType.length() + 1);
		}
		return f;
	}

	/** id-only unless the subscriber asks otherwise (the backport's payload-content extension). */
	static String payload(Subscription subscription) {
		Extension content = subscription.getChannel().getPayloadElement().getExtensionByUrl(SubscriptionTopics.PAYLOAD_CONTENT);
		return content == null || content.getValue() == null ? "id-only" : content.getValue().primitiveValue();
	}

	private static boolean validUri(String endpoint) {
		try {
			return URI.create(endpoint).getHost() != null;
		} catch (IllegalArgumentException e) {
			return false;
		}
	}
}
