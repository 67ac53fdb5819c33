package org.equityfhir.referral;

import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * The email channel: a short message that something changed and where to look (the inbox), never the
 * patient, the need or any other PHI, because e-mail leaves our control.
 */
class EmailChannel implements NotificationDelivery.Channel {

	static final String SUBJECT = "A referral for your organization was updated";

	private final JavaMailSenderImpl mail = new JavaMailSenderImpl();
	private final String from;
	private final Supplier<String> inboxUrl;

	EmailChannel(ReferralProperties properties, Supplier<String> inboxUrl) {
		mail.setHost(properties.smtpHost());
		mail.setPort(properties.smtpPort());
		mail.getJavaMailProperties().put("mail.smtp.connectiontimeout", Long.toString(properties.deliveryTimeout().toMillis()));
		mail.getJavaMailProperties().put("mail.smtp.timeout", Long.toString(properties.deliveryTimeout().toMillis()));
		this.from = properties.mailFrom();
		this.inboxUrl = inboxUrl;
	}

	static boolean configured(ReferralProperties properties) {
		return properties.smtpHost() != null && !properties.smtpHost().isBlank();
	}

	@Override
	public Optional<String> send(NotificationStore.Subscription subscription, NotificationStore.Notification notification) {
		SimpleMailMessage message = new SimpleMailMessage();
		message.setFrom(from);
		message.setTo(subscription.endpoint().substring("mailto:".length()));
		message.setSubject(SUBJECT);
		message.setText("A referral addressed to your organization has changed (update " + notification.eventNumber()
				+ " of this subscription).\n\nOpen your referral inbox to see it: " + inboxUrl.get()
				+ "\n\nNotification id: " + notification.id() + "\n");
		mail.send(message);
		return Optional.empty();
	}
}
