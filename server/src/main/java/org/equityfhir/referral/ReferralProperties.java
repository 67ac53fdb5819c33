package org.equityfhir.referral;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Referral notifications: how they are delivered and for how long delivery is retried. */
@ConfigurationProperties("equity.referral")
public record ReferralProperties(
		/* How often each instance looks for notifications due (another instance's commits are seen at the next look). */
		@DefaultValue("2s") Duration pollInterval,
		/* A claimed notification is another instance's to retry once this passes without an answer. */
		@DefaultValue("1m") Duration lease,
		/* The first retry waits this long; each next one twice as long, up to max-backoff. */
		@DefaultValue("5s") Duration firstBackoff,
		@DefaultValue("10m") Duration maxBackoff,
		/* Delivery is retried for this long after the event, then the notification is marked failed and its
		   subscription goes to error. */
		@DefaultValue("24h") Duration retryFor,
		/* How long a receiver may take to answer one delivery. */
		@DefaultValue("10s") Duration deliveryTimeout,
		/* SMTP server for the email channel; empty: email subscriptions are refused. */
		String smtpHost,
		@DefaultValue("25") int smtpPort,
		@DefaultValue("referrals@equityfhir.invalid") String mailFrom,
		/* The inbox link e-mails carry; empty: the server's public base URL followed by /inbox/. */
		String inboxUrl) {}
