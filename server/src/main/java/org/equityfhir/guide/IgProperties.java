package org.equityfhir.guide;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** How our implementation guide is applied. */
@ConfigurationProperties("equity.ig")
public record IgProperties(
		/* Refuse writes that do not meet our profiles (422). Off only for baseline benchmarks. */
		@DefaultValue("true") boolean enforce,
		/* Keep HL7's validators and reuse them, instead of building one (and parsing its OID registry) per
		   validation. Off only for the benchmark's before/after pair; the findings are the same either way. */
		@DefaultValue("true") boolean reuseValidators,
		/* A folder of published FHIR package files (.tgz): installed at start-up, offline, like ours; profiles
		   resources declare from them are validated too. Empty: none. */
		Path extraPackages) {}
