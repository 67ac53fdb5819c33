package org.equityfhir.directory;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** How the provider directory is served. */
@ConfigurationProperties("equity.directory")
public record DirectoryProperties(
		/* Hide what a clinician chose not to display (languages, competencies, race, ethnicity) from everyone who
		   may not see it. Off only to measure the plain engine underneath (bench/benchmark.sh): never in production. */
		@DefaultValue("true") boolean maskOptOuts) {}
