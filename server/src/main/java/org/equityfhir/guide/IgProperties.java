package org.equityfhir.guide;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** How our implementation guide is applied. */
@ConfigurationProperties("equity.ig")
public record IgProperties(
		/* Refuse writes that do not meet our profiles (422). Off only for baseline benchmarks. */
		@DefaultValue("true") boolean enforce) {}
