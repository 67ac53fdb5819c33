package org.equityfhir.api;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/** The FHIR REST API's limits and identity. */
@ConfigurationProperties("equity.server")
public record FhirServerProperties(
		/* Largest request body accepted, except transaction and batch Bundles; larger ones get 413. */
		@DefaultValue("10MB") DataSize maxRequestSize,
		/* Largest transaction or batch Bundle (POST to the server base); larger ones get 413. */
		@DefaultValue("64MB") DataSize maxBundleSize,
		/* Page size when a search gives no _count. */
		@DefaultValue("20") int defaultPageSize,
		/* Largest _count honoured; larger values are lowered to it. */
		@DefaultValue("200") int maxPageSize,
		/* Public base URL of the FHIR endpoint (behind a load balancer); empty: taken from each request. */
		String publicBaseUrl) {}
