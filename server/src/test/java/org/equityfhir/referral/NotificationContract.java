package org.equityfhir.referral;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import jakarta.mail.internet.MimeMessage;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.equityfhir.testsupport.TestMail;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Referral notifications as subscribers receive them: topic-based (Subscriptions R5 Backport, R4 form) and
 * classic criteria subscriptions, rest-hook to a real HTTP receiver on loopback and e-mail to a real SMTP
 * server, with retries when the receiver is down and a delivery id to drop repeats.
 */
abstract class NotificationContract extends FhirServerTestBase {

	private static final String TASK_TOPIC = "http://hl7.org/fhir/us/sdoh-clinicalcare/SubscriptionTopic/Task";
	private static LoopbackReceiver receiver;

	@org.springframework.beans.factory.annotation.Autowired
	private io.micrometer.core.instrument.MeterRegistry meters;

	private String patient;
	private String foodShelf;
	private String clinic;
	private String referral;

	@BeforeAll
	static void startReceiver() {
		receiver = new LoopbackReceiver();
	}

	@AfterAll
	static void stopReceiver() {
		receiver.close();
	}

	@BeforeEach
	void referral() {
		Patient p = new Patient();
		p.addName().setFamily("Notified").addGiven("Amina");
		patient = id(client().create().resource(p).execute().getId());
		foodShelf = id(client().create().resource(organization("Riverside Food Shelf " + UUID.randomUUID())).execute().getId());
		clinic = id(client().create().resource(organization("Cedar Clinic " + UUID.randomUUID())).execute().getId());
		ServiceRequest sr = new ServiceRequest();
		sr.setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE).setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
		sr.addCategory().addCoding().setSystem("http://hl7.org/fhir/us/core/CodeSystem/us-core-category").setCode("sdoh");
		sr.getCode().addCoding(new Coding("http://snomed.info/sct", "467771000124109", "Assistance with application for food pantry program"));
		sr.setSubject(new Reference(patient)).addPerformer(new Reference(foodShelf));
		referral = id(client().create().resource(sr).execute().getId());
	}

	private static Organization organization(String name) {
		Organization org = new Organization().setName(name).setActive(true);
		org.addType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/organization-type").setCode("cg");
		return org;
	}

	private static String id(org.hl7.fhir.instance.model.api.IIdType id) {
		return id.toUnqualifiedVersionless().getValue();
	}

	private Task referralTask(String owner) {
		Task task = new Task();
		task.setStatus(Task.TaskStatus.REQUESTED).setIntent(Task.TaskIntent.ORDER);
		task.setCode(new CodeableConcept().addCoding(new Coding("http://hl7.org/fhir/CodeSystem/task-code", "fulfill", null)));
		task.setFocus(new Reference(referral)).setFor(new Reference(patient));
		task.setAuthoredOnElement(new DateTimeType("2026-11-20T09:00:00Z"));
		task.setRequester(new Reference(clinic));
		if (owner != null) {
			task.setOwner(new Reference(owner));
		}
		return task;
	}

	private Task store(Task task) {
		HttpResponse<String> response = post("Task", FHIR_JSON, json(task));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return parse(Task.class, response.body());
	}

	private Subscription topicSubscription(String endpoint, String payload, String... filters) {
		Subscription subscription = new Subscription();
		subscription.setStatus(Subscription.SubscriptionStatus.REQUESTED).setReason("Referrals for us");
		subscription.setCriteria(TASK_TOPIC);
		Arrays.stream(filters).forEach(f -> subscription.getCriteriaElement()
				.addExtension(SubscriptionTopics.FILTER_CRITERIA, new StringType(f)));
		subscription.getChannel().setType(Subscription.SubscriptionChannelType.RESTHOOK).setEndpoint(endpoint)
				.setPayload("application/fhir+json").getPayloadElement()
				.addExtension(SubscriptionTopics.PAYLOAD_CONTENT, new CodeType(payload));
		return subscription;
	}

	private String subscribe(Subscription subscription) {
		HttpResponse<String> response = post("Subscription", FHIR_JSON, json(subscription));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		Subscription stored = parse(Subscription.class, response.body());
		assertThat(stored.getStatus()).isEqualTo(Subscription.SubscriptionStatus.ACTIVE);
		return stored.getIdElement().getIdPart();
	}

	private static <T> T eventually(Supplier<T> value, java.util.function.Predicate<T> done) {
		Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
		T current = value.get();
		while (!done.test(current) && Instant.now().isBefore(deadline)) {
			try {
				Thread.sleep(100);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(e);
			}
			current = value.get();
		}
		return current;
	}

	private Parameters statusOf(Bundle notification) {
		assertThat(notification.getType()).isEqualTo(Bundle.BundleType.HISTORY);
		return (Parameters) notification.getEntryFirstRep().getResource();
	}

	private static String part(Parameters.ParametersParameterComponent parameter, String name) {
		return parameter.getPart().stream().filter(p -> p.getName().equals(name)).findFirst()
				.map(p -> p.getValue() instanceof Reference r ? r.getReference() : p.getValue().primitiveValue()).orElse(null);
	}

	@Test
	void aTopicSubscriptionFilteredByOwnerHearsOfThatOwnersReferralsOnly() {
		String path = "/food-shelf-" + UUID.randomUUID();
		String subscription = subscribe(topicSubscription(receiver.url(path), "full-resource", "Task?owner=" + foodShelf));

		Task ours = store(referralTask(foodShelf));
		store(referralTask(clinic));
		Task draft = referralTask(foodShelf).setStatus(Task.TaskStatus.DRAFT);
		store(draft);

		List<LoopbackReceiver.Delivery> got = eventually(() -> receiver.receivedAt(path), l -> !l.isEmpty());
		assertThat(got).hasSize(1);
		Bundle notification = parse(Bundle.class, got.get(0).body());
		assertThat(notification.getIdElement().getIdPart()).isEqualTo(got.get(0).deliveryId());
		Parameters status = statusOf(notification);
		assertThat(status.getParameter("subscription").getValue().castToReference(status.getParameter("subscription").getValue())
				.getReference()).isEqualTo("Subscription/" + subscription);
		assertThat(status.getParameter("topic").getValue().primitiveValue()).isEqualTo(TASK_TOPIC);
		assertThat(status.getParameter("type").getValue().primitiveValue()).isEqualTo("event-notification");
		assertThat(part(status.getParameter("notification-event"), "event-number")).isEqualTo("1");
		assertThat(notification.getEntry()).hasSize(2);
		Task delivered = (Task) notification.getEntry().get(1).getResource();
		assertThat(delivered.getIdElement().getIdPart()).isEqualTo(ours.getIdElement().getIdPart());
		assertThat(delivered.getOwner().getReference()).isEqualTo(foodShelf);

		// an update notifies again, with the next event number
		ours.setOwner(new Reference(foodShelf)).setStatus(Task.TaskStatus.ACCEPTED);
		HttpResponse<String> accepted = put("Task/" + ours.getIdElement().getIdPart(), json(ours), "W/\"" + ours.getMeta().getVersionId() + "\"");
		assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
		got = eventually(() -> receiver.receivedAt(path), l -> l.size() >= 2);
		assertThat(got).hasSize(2);
		assertThat(part(statusOf(parse(Bundle.class, got.get(1).body())).getParameter("notification-event"), "event-number")).isEqualTo("2");
	}

	@Test
	void aClassicCriteriaSubscriptionWorksAndIdOnlyCarriesNoResource() {
		String path = "/clinic-" + UUID.randomUUID();
		Subscription classic = new Subscription();
		classic.setStatus(Subscription.SubscriptionStatus.REQUESTED).setReason("Our referrals' progress");
		classic.setCriteria("Task?requester=" + clinic + "&status=requested,accepted");
		classic.getChannel().setType(Subscription.SubscriptionChannelType.RESTHOOK).setEndpoint(receiver.url(path))
				.setPayload("application/fhir+json");
		subscribe(classic);

		Task task = store(referralTask(null));
		List<LoopbackReceiver.Delivery> got = eventually(() -> receiver.receivedAt(path), l -> !l.isEmpty());
		assertThat(got).hasSize(1);
		Bundle notification = parse(Bundle.class, got.get(0).body());
		assertThat(part(statusOf(notification).getParameter("notification-event"), "focus"))
				.isEqualTo("Task/" + task.getIdElement().getIdPart());
		assertThat(notification.getEntry().get(1).hasResource()).as("id-only").isFalse();
		assertThat(notification.getEntry().get(1).getFullUrl()).endsWith("/Task/" + task.getIdElement().getIdPart());
		assertThat(got.get(0).body()).doesNotContain("Amina");
	}

	@Test
	void aSubscriberMayAskForXml() {
		String path = "/xml-" + UUID.randomUUID();
		Subscription subscription = topicSubscription(receiver.url(path), "id-only", "owner=" + foodShelf);
		subscription.getChannel().setPayload("application/fhir+xml");
		subscribe(subscription);
		store(referralTask(foodShelf));
		List<LoopbackReceiver.Delivery> got = eventually(() -> receiver.receivedAt(path), l -> !l.isEmpty());
		assertThat(got).hasSize(1);
		Bundle notification = fhirContext.newXmlParser().parseResource(Bundle.class, got.get(0).body());
		assertThat(notification.getIdElement().getIdPart()).isEqualTo(got.get(0).deliveryId());
		assertThat(statusOf(notification).getParameter("type").getValue().primitiveValue()).isEqualTo("event-notification");
	}

	@Test
	void aReceiverDownForItsFirstAttemptsGetsEveryNotificationInOrderAndEachOnceByDeliveryId() {
		String path = "/flaky-" + UUID.randomUUID();
		String subscription = subscribe(topicSubscription(receiver.url(path), "id-only", "owner=" + foodShelf));
		int before = receiver.refused();
		receiver.refuseNext(3);
		for (int i = 0; i < 3; i++) {
			store(referralTask(foodShelf));
		}
		List<LoopbackReceiver.Delivery> got = eventually(() -> receiver.receivedAt(path),
				l -> l.stream().map(LoopbackReceiver.Delivery::deliveryId).distinct().count() >= 3);
		assertThat(receiver.refused() - before).as("the receiver refused its first attempts").isGreaterThanOrEqualTo(3);
		Set<String> ids = new LinkedHashSet<>(got.stream().map(LoopbackReceiver.Delivery::deliveryId).toList());
		assertThat(ids).hasSize(3);
		assertThat(got.stream().map(d -> part(statusOf(parse(Bundle.class, d.body())).getParameter("notification-event"), "event-number"))
				.distinct().toList()).containsExactly("1", "2", "3");

		Bundle status = parse(Bundle.class, get("Subscription/" + subscription + "/$status").body());
		Parameters parameters = (Parameters) status.getEntryFirstRep().getResource();
		assertThat(parameters.getParameter("type").getValue().primitiveValue()).isEqualTo("query-status");
		assertThat(parameters.getParameter("status").getValue().primitiveValue()).isEqualTo("active");
		assertThat(parameters.getParameter("events-since-subscription-start").getValue().primitiveValue()).isEqualTo("3");
	}

	@Test
	void whileAReceiverIsUnreachableStatusShowsTheErrorAndWhatWaits() {
		String subscription = subscribe(topicSubscription("http://127.0.0.1:9/unreachable", "id-only", "owner=" + foodShelf));
		store(referralTask(foodShelf));
		Parameters parameters = eventually(() -> (Parameters) parse(Bundle.class,
				get("Subscription/" + subscription + "/$status").body()).getEntryFirstRep().getResource(), p -> p.getParameter("error") != null);
		assertThat(parameters.getParameter("error")).isNotNull();
		assertThat(((CodeableConcept) parameters.getParameter("error").getValue()).getText()).contains("waiting");
		assertThat(meters.get("equity.notifications.waiting").gauge().value()).as("operators see what waits").isGreaterThanOrEqualTo(1);
		// switched off, nothing more is attempted for it
		Subscription off = client().read().resource(Subscription.class).withId(subscription).execute();
		off.setStatus(Subscription.SubscriptionStatus.OFF);
		client().update().resource(off).execute();
	}

	@Test
	void anEmailSubscriptionGetsALinkToTheInboxAndNoPatientData() throws Exception {
		GreenMail mail = TestMail.server();
		String address = "intake-" + UUID.randomUUID() + "@foodshelf.example";
		Subscription subscription = topicSubscription("mailto:" + address, "id-only", "owner=" + foodShelf);
		subscription.getChannel().setType(Subscription.SubscriptionChannelType.EMAIL).setEndpoint("mailto:" + address);
		subscribe(subscription);
		store(referralTask(foodShelf));
		List<MimeMessage> messages = eventually(() -> Arrays.stream(mail.getReceivedMessages())
				.filter(m -> GreenMailUtil.getHeaders(m).contains(address)).toList(), l -> !l.isEmpty());
		assertThat(messages).hasSize(1);
		String body = GreenMailUtil.getBody(messages.get(0));
		assertThat(body).contains("/inbox/").doesNotContain("Amina").doesNotContain("Notified").doesNotContain(patient);
	}

	@Test
	void aSubscriptionTheServerCannotHonourIsRefused() {
		Subscription unknownTopic = topicSubscription(receiver.url("/x"), "id-only");
		unknownTopic.setCriteria("http://example.org/SubscriptionTopic/everything");
		Subscription filterNotOffered = topicSubscription(receiver.url("/x"), "id-only", "Task?patient=Patient/1");
		Subscription ftp = topicSubscription("ftp://example.org/inbox", "id-only");
		Subscription chained = topicSubscription(receiver.url("/x"), "id-only");
		chained.setCriteria("Task?owner.name=Riverside");
		Subscription badPayload = topicSubscription(receiver.url("/x"), "everything");
		for (Subscription bad : List.of(unknownTopic, filterNotOffered, ftp, chained, badPayload)) {
			HttpResponse<String> response = post("Subscription", FHIR_JSON, json(bad));
			assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
			OperationOutcome outcome = parse(OperationOutcome.class, response.body());
			assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).startsWith("Subscription.");
		}
	}
}
