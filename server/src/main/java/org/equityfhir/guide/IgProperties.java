package org.equityfhir.guide;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** How our implementation guide is applied. */
@ConfigurationProperties("equity.ig")
public record IgProperties(
		/* Refuse writes that do not meet our profiles (422). Off only for baseline benchmarks. */
		@DefaultValue("true") boolean enforce,
		/* A folder of published FHIR package files (.tgz): installed at start-up, offline, like ours; profiles
		   resources declare from them are validated too. Empty: none. */
		Path extraPackages) {}
