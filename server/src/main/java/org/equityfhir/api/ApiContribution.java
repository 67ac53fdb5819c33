package org.equityfhir.api;

import org.springframework.stereotype.Component;
import ca.uhn.fhir.rest.server.RestfulServer;

/**
 * The API-wide interceptors: error translation, our identity in the CapabilityStatement, media types,
 * search-parameter hygiene, and transaction Bundles parsed from the stream (after the URL is checked).
 */
@Component
class ApiContribution implements FhirRestContribution {

	@Override
	public void contributeTo(RestfulServer server) {
		server.registerInterceptor(new ErrorResponseInterceptor());
		server.registerInterceptor(new CapabilityStatementCustomizer());
		server.registerInterceptor(new ContentTypeInterceptor());
		server.registerInterceptor(new QueryStringInterceptor());
		server.registerInterceptor(new TransactionBodyInterceptor());
	}
}
