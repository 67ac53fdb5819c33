package org.equityfhir.sdoh;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Hunger Vital Sign answered, extracted and recorded: $extract returns a transaction Bundle and stores
 * nothing; the Bundle passes guide enforcement when posted, its links survive, and posting it again creates
 * nothing. Bad input is an OperationOutcome, never a 500.
 */
abstract class SdohExtractContract extends FhirServerTestBase {

	private String patient;

	@BeforeEach
	void patient() {
		Patient p = new Patient();
		p.addName().setFamily("Screening").addGiven("Amina");
		patient = client().create().resource(p).execute().getId().toUnqualifiedVersionless().getValue();
	}

	private QuestionnaireResponse hvs(String worried, String ranOut) {
		QuestionnaireResponse response = ScreeningExtractionTest.hvs(worried, ranOut);
		response.setId((String) null);
		response.setSubject(new Reference(patient));
		return response;
	}

	private String store(QuestionnaireResponse response) {
		HttpResponse<String> created = post("QuestionnaireResponse", FHIR_JSON, json(response));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return parse(QuestionnaireResponse.class, created.body()).getIdElement().toUnqualifiedVersionless().getValue();
	}

	private static Parameters proposeCondition() {
		Parameters parameters = new Parameters();
		parameters.addParameter().setName(ExtractOperation.PROPOSE_CONDITION).setValue(new BooleanType(true));
		return parameters;
	}

	private HttpResponse<String> extract(String path, Parameters parameters) {
		return post(path + "/$extract", FHIR_JSON, json(parameters));
	}

	private Bundle transaction(Bundle bundle) {
		HttpResponse<String> posted = post("", FHIR_JSON, json(bundle));
		assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
		return parse(Bundle.class, posted.body());
	}

	private int count(String search) {
		return client().search().byUrl(search).returnBundle(Bundle.class).execute().getEntry().size();
	}

	@Test
	void aStoredResponseIsExtractedRecordedAndLinked() {
		String response = store(hvs(ScreeningRules.OFTEN_TRUE, ScreeningRules.NEVER_TRUE));

		HttpResponse<String> extracted = extract(response, proposeCondition());
		assertThat(extracted.statusCode()).as(extracted.body()).isEqualTo(200);
		assertThat(extract(response, proposeCondition()).body()).as("deterministic").isEqualTo(extracted.body());
		Bundle bundle = parse(Bundle.class, extracted.body());
		assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.TRANSACTION);
		assertThat(bundle.getEntry()).hasSize(4);
		assertThat(count("Observation?subject=" + patient)).as("$extract stores nothing").isZero();

		Bundle first = transaction(bundle);
		assertThat(first.getEntry()).extracting(e -> e.getResponse().getStatus()).allMatch(s -> s.startsWith("201"));

		List<Observation> questions = client().search().byUrl("Observation?derived-from=" + response)
				.returnBundle(Bundle.class).execute().getEntry().stream().map(e -> (Observation) e.getResource()).toList();
		assertThat(questions).extracting(o -> o.getCode().getCodingFirstRep().getCode()).containsExactlyInAnyOrder("88122-7", "88123-5");

		Condition condition = (Condition) client().search().byUrl("Condition?subject=" + patient)
				.returnBundle(Bundle.class).execute().getEntryFirstRep().getResource();
		assertThat(condition.getCode().getCoding()).extracting(c -> c.getCode()).contains("Z59.41", "733423003");
		assertThat(condition.getVerificationStatus().getCodingFirstRep().getCode()).isEqualTo("unconfirmed");
		Observation risk = client().read().resource(Observation.class)
				.withUrl(condition.getEvidenceFirstRep().getDetailFirstRep().getReference()).execute();
		assertThat(risk.getCode().getCodingFirstRep().getCode()).isEqualTo(ScreeningRules.HVS_RISK);
		assertThat(risk.getValueCodeableConcept().getCodingFirstRep().getCode()).isEqualTo(ScreeningRules.AT_RISK);
		assertThat(risk.getDerivedFrom()).extracting(Reference::getReference).containsExactlyInAnyOrderElementsOf(
				questions.stream().map(q -> q.getIdElement().toUnqualifiedVersionless().getValue()).toList());

		Bundle again = transaction(bundle);
		assertThat(again.getEntry()).extracting(e -> e.getResponse().getStatus()).allMatch(s -> s.startsWith("200"));
		assertThat(count("Observation?subject=" + patient)).as("posting twice creates nothing").isEqualTo(3);
		assertThat(count("Condition?subject=" + patient)).isEqualTo(1);
	}

	@Test
	void aSubmittedResponseIsRecordedWithItsObservations() {
		Parameters parameters = proposeCondition();
		parameters.addParameter().setName(ExtractOperation.RESPONSE).setResource(hvs(ScreeningRules.NEVER_TRUE, ScreeningRules.NEVER_TRUE));
		HttpResponse<String> extracted = extract("QuestionnaireResponse", parameters);
		assertThat(extracted.statusCode()).as(extracted.body()).isEqualTo(200);
		Bundle bundle = parse(Bundle.class, extracted.body());
		assertThat(bundle.getEntry()).extracting(e -> e.getResource().fhirType())
				.containsExactly("QuestionnaireResponse", "Observation", "Observation", "Observation");

		transaction(bundle);
		transaction(bundle);
		assertThat(count("QuestionnaireResponse?subject=" + patient)).isEqualTo(1);
		assertThat(count("Observation?subject=" + patient)).isEqualTo(3);
		assertThat(count("Observation?subject=" + patient + "&code=http://loinc.org|88124-3&value-concept=http://loinc.org|"
				+ ScreeningRules.NO_RISK)).isEqualTo(1);
		assertThat(count("Condition?subject=" + patient)).as("no risk, no Condition").isZero();
	}

	@Test
	void badInputIsAnOperationOutcome() {
		assertOutcome(extract("QuestionnaireResponse", new Parameters()), 400, OperationOutcome.IssueType.REQUIRED);

		QuestionnaireResponse other = hvs(ScreeningRules.OFTEN_TRUE, null);
		other.setQuestionnaire("http://example.org/Questionnaire/phq-9");
		assertOutcome(extractSubmitted(other), 422, OperationOutcome.IssueType.NOTSUPPORTED);

		QuestionnaireResponse noSubject = hvs(ScreeningRules.OFTEN_TRUE, null);
		noSubject.setSubject(null);
		assertOutcome(extractSubmitted(noSubject), 422, OperationOutcome.IssueType.REQUIRED);

		QuestionnaireResponse badCode = hvs(ScreeningRules.OFTEN_TRUE, null);
		badCode.getItemFirstRep().getAnswerFirstRep().getValueCoding().setCode("LA33-6");
		assertOutcome(extractSubmitted(badCode), 422, OperationOutcome.IssueType.CODEINVALID);

		assertOutcome(extract("QuestionnaireResponse/does-not-exist", new Parameters()), 404, null);

		String stored = store(hvs(ScreeningRules.OFTEN_TRUE, null));
		Parameters both = new Parameters();
		both.addParameter().setName(ExtractOperation.RESPONSE).setResource(hvs(ScreeningRules.OFTEN_TRUE, null));
		assertOutcome(extract(stored, both), 400, OperationOutcome.IssueType.INVALID);
	}

	private HttpResponse<String> extractSubmitted(QuestionnaireResponse response) {
		Parameters parameters = new Parameters();
		parameters.addParameter().setName(ExtractOperation.RESPONSE).setResource(response);
		return extract("QuestionnaireResponse", parameters);
	}

	private void assertOutcome(HttpResponse<String> response, int status, OperationOutcome.IssueType code) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		OperationOutcome outcome = parse(OperationOutcome.class, response.body());
		if (code != null) {
			assertThat(outcome.getIssue()).extracting(OperationOutcome.OperationOutcomeIssueComponent::getCode).contains(code);
		}
	}
}
