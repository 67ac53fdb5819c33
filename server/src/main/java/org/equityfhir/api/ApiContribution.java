package org.equityfhir.api;

import org.springframework.stereotype.Component;
import ca.uhn.fhir.rest.server.RestfulServer;

/**
 * The API-wide interceptors: error translation, our identity in the CapabilityStatement, media types,
 * and transaction Bundles parsed from the stream.
 */
@Component
class ApiContribution implements FhirRestContribution {

	@Override
	public void contributeTo(RestfulServer server) {
		server.registerInterceptor(new ErrorResponseInterceptor());
		server.registerInterceptor(new CapabilityStatementCustomizer());
		server.registerInterceptor(new ContentTypeInterceptor());
		server.registerInterceptor(new TransactionBodyInterceptor());
	}
}
