package org.equityfhir.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.Test;

/** {@code $referral-metrics} on stored referrals: the loop's counts and timing, stratified, small cells hidden. */
abstract class ReferralMetricsContract extends FhirServerTestBase {

	private String create(org.hl7.fhir.r4.model.Resource resource) {
		return client().create().resource(resource).execute().getId().toUnqualifiedVersionless().getValue();
	}

	private String organization(String name) {
		Organization org = new Organization().setName(name + " " + UUID.randomUUID()).setActive(true);
		org.addType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/organization-type").setCode("cg");
		return create(org);
	}

	private Task referral(String owner, String language, Instant authored) {
		Patient p = new Patient();
		p.addName().setFamily("Metrics");
		p.addCommunication().setPreferred(true).getLanguage().addCoding().setSystem("urn:ietf:bcp:47").setCode(language);
		String patient = create(p);
		ServiceRequest sr = new ServiceRequest();
		sr.setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE).setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
		sr.addCategory().addCoding(new Coding("http://hl7.org/fhir/us/core/CodeSystem/us-core-category", "sdoh", null))
				.addCoding(new Coding(ReferralTransition.SDOHCC_CODES, "food-insecurity", null));
		sr.getCode().addCoding(new Coding("http://snomed.info/sct", "467771000124109", null));
		sr.setSubject(new Reference(patient)).addPerformer(new Reference(owner));
		String focus = create(sr);
		Task task = new Task().setStatus(Task.TaskStatus.REQUESTED).setIntent(Task.TaskIntent.ORDER);
		task.setCode(new CodeableConcept().addCoding(new Coding("http://hl7.org/fhir/CodeSystem/task-code", "fulfill", null)));
		task.setFocus(new Reference(focus)).setFor(new Reference(patient)).setRequester(new Reference(owner));
		task.setAuthoredOnElement(new DateTimeType(Date.from(authored)));
		return client().read().resource(Task.class).withId(create(task)).execute();
	}

	private Parameters metrics(String query) {
		HttpResponse<String> response = get("$referral-metrics?" + query);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return parse(Parameters.class, response.body());
	}

	private static String part(Parameters.ParametersParameterComponent row, String name) {
		return row.getPart().stream().filter(p -> p.getName().equals(name)).findFirst()
				.map(p -> p.getValue() instanceof Reference r ? r.getReference()
						: p.getValue() instanceof Coding c ? c.getCode() : p.getValue().primitiveValue()).orElse(null);
	}

	@Test
	void theLoopIsCountedPerOrganizationAndCategoryAndStratifiedByLanguage() {
		String shelf = organization("Metrics Food Shelf");
		Instant tenDaysAgo = Instant.now().minus(10, ChronoUnit.DAYS);
		for (int i = 0; i < 22; i++) {
			Task task = referral(shelf, "so", tenDaysAgo);
			if (i % 2 == 0) {
				task.setOwner(new Reference(shelf)).setStatus(Task.TaskStatus.ACCEPTED);
			} else {
				task.setStatus(Task.TaskStatus.REJECTED).setStatusReason(new CodeableConcept().setText("No capacity"));
			}
			client().update().resource(task).execute();
		}
		Parameters result = metrics("organization=" + shelf + "&stratifier=language");
		List<Parameters.ParametersParameterComponent> rows = result.getParameter().stream()
				.filter(p -> shelf.equals(part(p, "organization"))).toList();
		assertThat(rows).hasSize(2);
		Parameters.ParametersParameterComponent total = rows.get(0);
		assertThat(part(total, "category")).isEqualTo("food-insecurity");
		assertThat(part(total, "sent")).isEqualTo("22");
		assertThat(part(total, "accepted")).isEqualTo("11");
		assertThat(part(total, "rejected")).isEqualTo("11");
		assertThat(part(total, "never-answered")).isEqualTo("0");
		assertThat(Double.parseDouble(part(total, "median-days-to-accept"))).isBetween(9.9, 10.1);
		assertThat(part(rows.get(1), "stratum")).isEqualTo("so");
		assertThat(part(rows.get(1), "sent")).isEqualTo("22");
	}

	@Test
	void aStratumOfFewerThanElevenPatientsShowsNoCountsAndNeitherDoesTheNextSmallest() {
		String small = organization("Metrics Small Pantry");
		for (int i = 0; i < 3; i++) {
			referral(small, "hmn", Instant.now());
		}
		for (int i = 0; i < 12; i++) {
			referral(small, "es", Instant.now());
		}
		List<Parameters.ParametersParameterComponent> rows = metrics("organization=" + small + "&stratifier=language").getParameter();
		assertThat(rows).hasSize(3);
		assertThat(part(rows.get(0), "sent")).as("the organization's total").isEqualTo("15");
		assertThat(part(rows.get(0), "never-answered")).isEqualTo("15");
		for (Parameters.ParametersParameterComponent stratum : rows.subList(1, 3)) {
			assertThat(part(stratum, "suppressed")).as(part(stratum, "stratum")).isEqualTo("true");
			assertThat(part(stratum, "sent")).isNull();
		}
	}

	@Test
	void anUnknownStratifierIsA400() {
		HttpResponse<String> response = get("$referral-metrics?stratifier=shoe-size");
		assertThat(response.statusCode()).isEqualTo(400);
		assertThat(parse(OperationOutcome.class, response.body()).getIssueFirstRep().getDiagnostics()).contains("language");
	}
}
