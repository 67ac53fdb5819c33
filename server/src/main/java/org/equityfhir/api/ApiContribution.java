package org.equityfhir.api;

import org.springframework.stereotype.Component;
import ca.uhn.fhir.rest.server.RestfulServer;

/** The API-wide interceptors: error translation and our identity in the CapabilityStatement. */
@Component
class ApiContribution implements FhirRestContribution {

	@Override
	public void contributeTo(RestfulServer server) {
		server.registerInterceptor(new ErrorResponseInterceptor());
		server.registerInterceptor(new CapabilityStatementCustomizer());
		server.registerInterceptor(new ContentTypeInterceptor());
	}
}
