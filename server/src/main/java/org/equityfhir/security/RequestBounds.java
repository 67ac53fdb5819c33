package org.equityfhir.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.equityfhir.api.InterceptorOrder;

/**
 * Limits every caller meets before a search runs: how many _include and _revinclude a search may carry
 * ({@code _include=*} never), how deep a chain or {@code _has} may go, and, when configured, how many
 * requests one client (or one anonymous address) may make per minute on this instance.
 */
@Interceptor(order = InterceptorOrder.AUTHORIZATION - 2)
class RequestBounds {

	private final SecurityProperties properties;
	private final Map<String, Window> windows = new ConcurrentHashMap<>();

	private final java.time.Clock clock;

	RequestBounds(SecurityProperties properties) {
		this(properties, java.time.Clock.systemUTC());
	}

	RequestBounds(SecurityProperties properties, java.time.Clock clock) {
		this.properties = properties;
		this.clock = clock;
	}

	private record Window(long minute, AtomicInteger count) {}

	static final class TooManyRequests extends BaseServerResponseException {
		TooManyRequests(String message) {
			super(429, message);
		}
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public void check(RequestDetails request) {
		limitRate(request);
		Map<String, String[]> parameters = request.getParameters();
		if (parameters == null) {
			return;
		}
		int includes = 0;
		int iterating = 0;
		for (Map.Entry<String, String[]> parameter : parameters.entrySet()) {
			String name = parameter.getKey();
			if (name.startsWith("_include") || name.startsWith("_revinclude")) {
				includes += parameter.getValue().length;
				if (name.endsWith(":iterate") || name.endsWith(":recurse")) {
					iterating += parameter.getValue().length;
				}
				for (String value : parameter.getValue()) {
					if (value.equals("*") || value.endsWith(":*")) {
						throw new InvalidRequestException(name + "=" + value + " is not supported: name each include "
								+ "(for example _include=Task:focus)");
					}
				}
			} else if (!name.startsWith("_") || name.startsWith("_has")) {
				int depth = (int) name.chars().filter(c -> c == '.').count() + countOf(name, "_has:");
				if (depth > properties.maxChainDepth()) {
					throw new InvalidRequestException("'" + name + "' follows " + depth + " references; at most "
							+ properties.maxChainDepth() + " are allowed in one search parameter");
				}
			}
		}
		if (includes > properties.maxIncludes()) {
			throw new InvalidRequestException("a search may carry at most " + properties.maxIncludes()
					+ " _include and _revinclude parameters; this one has " + includes);
		}
		if (iterating > 1) {
			throw new InvalidRequestException("a search may carry at most one :iterate (or :recurse) include");
		}
	}

	/** A Bundle posted to the base must be a transaction or a batch: anything else is a bad request (400). */
	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
	public void onlyTransactionsAndBatches(RequestDetails request, ca.uhn.fhir.rest.api.RestOperationTypeEnum operation) {
		if ((operation == ca.uhn.fhir.rest.api.RestOperationTypeEnum.TRANSACTION)
				&& request.getResource() instanceof org.hl7.fhir.r4.model.Bundle bundle
				&& bundle.getType() != org.hl7.fhir.r4.model.Bundle.BundleType.TRANSACTION
				&& bundle.getType() != org.hl7.fhir.r4.model.Bundle.BundleType.BATCH) {
			throw new InvalidRequestException("A Bundle posted to the base must be a transaction or a batch, not '"
					+ (bundle.getType() == null ? "no type" : bundle.getType().toCode()) + "'");
		}
	}

	private static int countOf(String text, String part) {
		int count = 0;
		for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
			count++;
		}
		return count;
	}

	private void limitRate(RequestDetails request) {
		int limit = properties.rateLimitPerMinute();
		if (limit <= 0) {
			return;
		}
		Caller caller = PolicyAuthorization.callerOf(request);
		String key = caller.anonymous() && request instanceof ServletRequestDetails servlet
				? "address:" + servlet.getServletRequest().getRemoteAddr() : "client:" + caller.clientId();
		long minute = clock.millis() / 60_000;
		Window window = windows.compute(key, (k, w) -> w == null || w.minute() != minute ? new Window(minute, new AtomicInteger()) : w);
		if (window.count().incrementAndGet() > limit) {
			throw new TooManyRequests("more than " + limit + " requests in a minute from " + caller.describe() + "; try again shortly");
		}
		if (windows.size() > 10_000) {
			windows.entrySet().removeIf(e -> e.getValue().minute() != minute);
		}
	}
}
