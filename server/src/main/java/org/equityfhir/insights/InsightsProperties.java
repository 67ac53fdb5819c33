package org.equityfhir.insights;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Equity insights: small-cell suppression, network adequacy's defaults, and the monthly reports. */
@ConfigurationProperties("equity.insights")
public record InsightsProperties(
		/* Counts from 1 up to one less than this are suppressed in every report (docs/equity.md). */
		@DefaultValue("11") int smallestShown,
		/* $network-adequacy: the lowest Plan-Net ILR proficiency that counts a clinician as offering a language. */
		@DefaultValue("30") String minProficiency,
		/* $network-adequacy: a member has access when a concordant clinician practises within this many km. */
		@DefaultValue("16") double distanceKm,
		/* $network-adequacy: a group or area is flagged when members exceed clinicians times this. */
		@DefaultValue("1") double membersPerClinician,
		/* Store every measure's report for each past month, once across all instances. */
		@DefaultValue("true") boolean monthlyReports,
		/* How often each instance looks for a month whose reports are not stored yet. */
		@DefaultValue("1h") Duration monthlyCheck,
		/* A month claimed by an instance that did not finish is another instance's to run after this. */
		@DefaultValue("30m") Duration monthlyLease) {}
