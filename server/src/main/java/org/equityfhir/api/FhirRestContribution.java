package org.equityfhir.api;

import ca.uhn.fhir.rest.server.RestfulServer;

/**
 * How a capability plugs into the FHIR REST API: each one registers its interceptors and operation
 * providers here, so the REST configuration does not need to know them.
 */
@FunctionalInterface
public interface FhirRestContribution {
	void contributeTo(RestfulServer server);
}
