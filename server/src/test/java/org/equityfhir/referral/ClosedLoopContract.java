package org.equityfhir.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole loop, as a clinic and a food shelf live it: a Hunger Vital Sign screen is extracted into
 * Observations and a Condition, the clinic refers, the food shelf hears of it by subscription, accepts,
 * works, records what it did and completes, the clinic hears of each step, and the loop metrics count it.
 */
abstract class ClosedLoopContract extends FhirServerTestBase {

	private static final String LOINC = "http://loinc.org";
	private static final String TASK_TOPIC = "http://hl7.org/fhir/us/sdoh-clinicalcare/SubscriptionTopic/Task";
	private static LoopbackReceiver receiver;

	@BeforeAll
	static void startReceiver() {
		receiver = new LoopbackReceiver();
	}

	@AfterAll
	static void stopReceiver() {
		receiver.close();
	}

	private String create(org.hl7.fhir.r4.model.Resource resource) {
		return client().create().resource(resource).execute().getId().toUnqualifiedVersionless().getValue();
	}

	/** Where the two parties subscribe; a cluster test sends it to one instance. */
	protected String subscriberBaseUrl() {
		return baseUrl();
	}

	/** Where the food shelf moves the Task along; a cluster test sends it to another instance. */
	protected String workflowBaseUrl() {
		return baseUrl();
	}

	private HttpResponse<String> sendTo(String base, String path, String method, String body, String ifMatch) {
		java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/" + path))
				.header("Content-Type", FHIR_JSON).method(method, java.net.http.HttpRequest.BodyPublishers.ofString(body));
		if (ifMatch != null) {
			request.header("If-Match", ifMatch);
		}
		return send(request);
	}

	private Bundle transaction(Bundle bundle) {
		return transaction(baseUrl(), bundle);
	}

	private Bundle transaction(String base, Bundle bundle) {
		HttpResponse<String> response = sendTo(base, "", "POST", json(bundle), null);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return parse(Bundle.class, response.body());
	}

	private void subscribe(String path, String filter, String payload) {
		Subscription subscription = new Subscription().setStatus(Subscription.SubscriptionStatus.REQUESTED).setReason("loop");
		subscription.setCriteria(TASK_TOPIC).getCriteriaElement()
				.addExtension(SubscriptionTopics.FILTER_CRITERIA, new StringType(filter));
		subscription.getChannel().setType(Subscription.SubscriptionChannelType.RESTHOOK).setEndpoint(receiver.url(path))
				.setPayload("application/fhir+json").getPayloadElement()
				.addExtension(SubscriptionTopics.PAYLOAD_CONTENT, new CodeType(payload));
		HttpResponse<String> created = sendTo(subscriberBaseUrl(), "Subscription", "POST", json(subscription), null);
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
	}

	private List<LoopbackReceiver.Delivery> await(String path, int atLeast) {
		Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
		while (receiver.receivedAt(path).stream().map(LoopbackReceiver.Delivery::deliveryId).distinct().count() < atLeast
				&& Instant.now().isBefore(deadline)) {
			try {
				Thread.sleep(100);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(e);
			}
		}
		return receiver.receivedAt(path);
	}

	private Task move(Task task) {
		HttpResponse<String> response = sendTo(workflowBaseUrl(), "Task/" + task.getIdElement().getIdPart(), "PUT", json(task),
				"W/\"" + task.getMeta().getVersionId() + "\"");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return parse(Task.class, response.body());
	}

	@Test
	void screenReferAcceptDoCompleteAndTheClinicSeesTheLoopClose() {
		String run = UUID.randomUUID().toString().substring(0, 8);
		Patient amina = new Patient();
		amina.addName().setFamily("Loop").addGiven("Amina");
		amina.addCommunication().setPreferred(true).getLanguage().addCoding().setSystem("urn:ietf:bcp:47").setCode("so");
		String patient = create(amina);
		Organization clinicOrg = new Organization().setName("Loop Clinic " + run).setActive(true);
		String clinic = create(clinicOrg);
		Organization shelfOrg = new Organization().setName("Loop Food Shelf " + run).setActive(true);
		shelfOrg.addType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/organization-type").setCode("cg");
		String shelf = create(shelfOrg);

		// 1. a Hunger Vital Sign screen, extracted into Observations and a proposed Condition
		QuestionnaireResponse screen = new QuestionnaireResponse();
		screen.setQuestionnaire("http://equityfhir.org/fhir/Questionnaire/hunger-vital-sign");
		screen.setStatus(QuestionnaireResponse.QuestionnaireResponseStatus.COMPLETED);
		screen.setSubject(new Reference(patient)).setAuthoredElement(new DateTimeType(new Date()));
		screen.addItem().setLinkId("/88122-7").addAnswer().setValue(new Coding(LOINC, "LA28397-0", "Often true"));
		screen.addItem().setLinkId("/88123-5").addAnswer().setValue(new Coding(LOINC, "LA28398-8", "Never true"));
		String response = create(screen);
		Parameters ask = new Parameters();
		ask.addParameter().setName("propose-condition").setValue(new BooleanType(true));
		HttpResponse<String> extracted = post(response + "/$extract", FHIR_JSON, json(ask));
		assertThat(extracted.statusCode()).as(extracted.body()).isEqualTo(200);
		transaction(parse(Bundle.class, extracted.body()));
		Bundle conditions = client().search().byUrl("Condition?subject=" + patient).returnBundle(Bundle.class).execute();
		assertThat(conditions.getEntry()).hasSize(1);
		Condition foodInsecurity = (Condition) conditions.getEntryFirstRep().getResource();
		assertThat(foodInsecurity.getCode().getCoding()).extracting(Coding::getCode).contains("Z59.41");
		assertThat(client().search().byUrl("Observation?subject=" + patient).returnBundle(Bundle.class).execute().getEntry())
				.hasSizeGreaterThanOrEqualTo(3);

		// 2. both parties subscribe; the clinic refers, ServiceRequest and Task in one transaction
		subscribe("/loop-shelf-" + run, "Task?owner=" + shelf, "full-resource");
		subscribe("/loop-clinic-" + run, "Task?requester=" + clinic, "id-only");
		ServiceRequest referral = new ServiceRequest().setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE)
				.setIntent(ServiceRequest.ServiceRequestIntent.ORDER).setSubject(new Reference(patient))
				.setRequester(new Reference(clinic)).setAuthoredOnElement(new DateTimeType(new Date()));
		referral.addCategory().addCoding(new Coding("http://hl7.org/fhir/us/core/CodeSystem/us-core-category", "sdoh", null))
				.addCoding(new Coding(ReferralTransition.SDOHCC_CODES, "food-insecurity", null));
		referral.getCode().addCoding(new Coding("http://snomed.info/sct", "467771000124109", "Assistance with application for food pantry program"));
		referral.addPerformer(new Reference(shelf)).addReasonReference(new Reference(foodInsecurity.getIdElement().toUnqualifiedVersionless().getValue()));
		String referralUrn = "urn:uuid:" + UUID.randomUUID();
		Task task = new Task().setStatus(Task.TaskStatus.REQUESTED).setIntent(Task.TaskIntent.ORDER);
		task.setCode(new CodeableConcept().addCoding(new Coding("http://hl7.org/fhir/CodeSystem/task-code", "fulfill", null)));
		task.setFocus(new Reference(referralUrn)).setFor(new Reference(patient)).setRequester(new Reference(clinic))
				.setOwner(new Reference(shelf)).setAuthoredOnElement(new DateTimeType(new Date()));
		Bundle refer = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		refer.addEntry().setFullUrl(referralUrn).setResource(referral).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("ServiceRequest");
		refer.addEntry().setResource(task).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Task");
		Bundle referred = transaction(refer);
		String taskId = referred.getEntry().get(1).getResponse().getLocation().replaceAll("/_history/.*", "");
		String referralId = referred.getEntry().get(0).getResponse().getLocation().replaceAll("/_history/.*", "");

		List<LoopbackReceiver.Delivery> toShelf = await("/loop-shelf-" + run, 1);
		assertThat(toShelf).isNotEmpty();
		Task heard = (Task) parse(Bundle.class, toShelf.get(0).body()).getEntry().get(1).getResource();
		assertThat(heard.getStatus()).isEqualTo(Task.TaskStatus.REQUESTED);
		assertThat("Task/" + heard.getIdElement().getIdPart()).isEqualTo(taskId);

		// 3. the food shelf accepts, starts, records what it did and completes, in one transaction at the end
		Task stored = client().read().resource(Task.class).withId(taskId).execute();
		stored = move(stored.setStatus(Task.TaskStatus.ACCEPTED));
		stored = move(stored.setStatus(Task.TaskStatus.INPROGRESS));
		Procedure provision = new Procedure().setStatus(Procedure.ProcedureStatus.COMPLETED);
		provision.getCode().addCoding(new Coding("http://snomed.info/sct", "710925007", "Provision of food"));
		provision.setSubject(new Reference(patient)).setPerformed(new DateTimeType(new Date())).addBasedOn(new Reference(referralId));
		String procedureUrn = "urn:uuid:" + UUID.randomUUID();
		stored.setStatus(Task.TaskStatus.COMPLETED).addOutput()
				.setType(new CodeableConcept().addCoding(new Coding(ReferralTransition.SDOHCC_CODES, ReferralTransition.RESULTING_ACTIVITY, null)))
				.setValue(new Reference(procedureUrn));
		Bundle complete = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		complete.addEntry().setFullUrl(procedureUrn).setResource(provision).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Procedure");
		complete.addEntry().setResource(stored).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(taskId)
				.setIfMatch("W/\"" + stored.getMeta().getVersionId() + "\"");
		transaction(workflowBaseUrl(), complete);
		assertThat(client().read().resource(ServiceRequest.class).withId(referralId).execute().getStatus())
				.isEqualTo(ServiceRequest.ServiceRequestStatus.COMPLETED);

		// 4. the clinic heard of every step, the last one the completion; the metrics count the referral
		List<LoopbackReceiver.Delivery> toClinic = await("/loop-clinic-" + run, 4);
		assertThat(toClinic.stream().map(LoopbackReceiver.Delivery::deliveryId).distinct()).hasSize(4);
		assertThat(toClinic).extracting(LoopbackReceiver.Delivery::deliveryId).doesNotHaveDuplicates();
		assertThat(receiver.receivedAt("/loop-shelf-" + run)).extracting(LoopbackReceiver.Delivery::deliveryId).doesNotHaveDuplicates();
		Bundle last = parse(Bundle.class, toClinic.get(toClinic.size() - 1).body());
		Parameters status = (Parameters) last.getEntryFirstRep().getResource();
		assertThat(status.getParameter("notification-event").getPart().stream().filter(p -> p.getName().equals("event-number"))
				.findFirst().orElseThrow().getValue().primitiveValue()).isEqualTo("4");
		assertThat(client().read().resource(Task.class).withId(taskId).execute().getStatus()).isEqualTo(Task.TaskStatus.COMPLETED);

		Parameters metrics = parse(Parameters.class, get("$referral-metrics?organization=" + shelf).body());
		Parameters.ParametersParameterComponent row = metrics.getParameterFirstRep();
		assertThat(part(row, "category")).isEqualTo("food-insecurity");
		assertThat(part(row, "sent")).isEqualTo("1");
		assertThat(part(row, "accepted")).isEqualTo("1");
		assertThat(part(row, "completed")).isEqualTo("1");
		assertThat(part(row, "median-days-to-close")).isNotNull();
	}

	private static String part(Parameters.ParametersParameterComponent row, String name) {
		return row.getPart().stream().filter(p -> p.getName().equals(name)).findFirst()
				.map(p -> p.getValue() instanceof Coding c ? c.getCode() : p.getValue().primitiveValue()).orElse(null);
	}
}
