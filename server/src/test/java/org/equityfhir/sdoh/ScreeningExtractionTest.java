package org.equityfhir.sdoh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.equityfhir.guide.GuidePackage;
import org.equityfhir.guide.GuideValidator;
import org.equityfhir.guide.ProfileSelector;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** $extract without a server: every Hunger Vital Sign answer combination, the AHC tool, determinism, refusals. */
class ScreeningExtractionTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();
	private static final String LOINC = "http://loinc.org";
	private static ScreeningExtraction extraction;
	private static GuideValidator validator;

	@BeforeAll
	static void load() {
		List<GuidePackage> packages = GuidePackage.loadAll();
		extraction = new ScreeningExtraction(FHIR, new ScreeningForms(FHIR, packages.get(1), packages.get(0)));
		validator = new GuideValidator(FHIR, packages, List.of(), new ProfileSelector(FHIR, packages.get(0)));
	}

	/** The answers of each HVS question: the four options, and unanswered (null). */
	private static final List<String> HVS_ANSWERS = Arrays.asList(
			ScreeningRules.OFTEN_TRUE, ScreeningRules.SOMETIMES_TRUE, ScreeningRules.NEVER_TRUE, ScreeningRules.DONT_KNOW, null);

	static Stream<Arguments> everyHungerVitalSignCombination() {
		List<Arguments> all = new ArrayList<>();
		for (String worried : HVS_ANSWERS) {
			for (String ranOut : HVS_ANSWERS) {
				all.add(Arguments.of(worried, ranOut));
			}
		}
		return all.stream();
	}

	private static String expectedRisk(String worried, String ranOut) {
		List<String> positive = Arrays.asList(ScreeningRules.OFTEN_TRUE, ScreeningRules.SOMETIMES_TRUE);
		if (positive.contains(worried) || positive.contains(ranOut)) {
			return ScreeningRules.AT_RISK;
		}
		return ScreeningRules.NEVER_TRUE.equals(worried) && ScreeningRules.NEVER_TRUE.equals(ranOut) ? ScreeningRules.NO_RISK : null;
	}

	@ParameterizedTest(name = "88122-7 {0}, 88123-5 {1}")
	@MethodSource("everyHungerVitalSignCombination")
	void hungerVitalSign(String worried, String ranOut) {
		QuestionnaireResponse response = hvs(worried, ranOut);
		String expected = expectedRisk(worried, ranOut);

		Bundle proposed = extraction.extractStored(response, true);
		Bundle plain = extraction.extractStored(response, false);

		List<Observation> questions = observations(proposed).stream()
				.filter(o -> !o.getCode().getCodingFirstRep().getCode().equals(ScreeningRules.HVS_RISK)).toList();
		assertThat(questions).as("one Observation per answered question")
				.hasSize((worried == null ? 0 : 1) + (ranOut == null ? 0 : 1));
		questions.forEach(q -> {
			assertThat(q.getDerivedFromFirstRep().getReference()).isEqualTo("QuestionnaireResponse/hvs-1");
			assertThat(q.getSubject().getReference()).isEqualTo("Patient/patient-amina");
			assertThat(q.getEffectiveDateTimeType().getValueAsString()).isEqualTo("2026-10-06T15:20:00-05:00");
		});

		Observation risk = observations(proposed).stream()
				.filter(o -> o.getCode().getCodingFirstRep().getCode().equals(ScreeningRules.HVS_RISK)).findFirst().orElse(null);
		if (expected == null) {
			assertThat(risk).as("undecided: no risk Observation").isNull();
		} else {
			assertThat(risk).isNotNull();
			assertThat(risk.getValueCodeableConcept().getCodingFirstRep().getCode()).isEqualTo(expected);
			assertThat(risk.getDerivedFrom()).extracting(Reference::getReference)
					.containsExactlyElementsOf(fullUrls(proposed, questions));
		}

		List<Condition> conditions = resources(proposed, Condition.class);
		if (ScreeningRules.AT_RISK.equals(expected)) {
			assertThat(conditions).hasSize(1);
			Condition condition = conditions.get(0);
			assertThat(condition.getEvidenceFirstRep().getDetailFirstRep().getReference()).isEqualTo(fullUrl(proposed, risk));
			assertThat(condition.getCode().getCoding()).extracting(Coding::getCode).containsExactly("Z59.41", "733423003");
			assertThat(condition.getVerificationStatus().getCodingFirstRep().getCode()).isEqualTo("unconfirmed");
		} else {
			assertThat(conditions).as("a Condition only for a positive screen").isEmpty();
		}
		assertThat(resources(plain, Condition.class)).as("no Condition unless proposed").isEmpty();
		assertThat(plain.getEntry()).hasSize(proposed.getEntry().size() - conditions.size());

		assertConformsAndIsConditional(proposed);
		assertThat(json(extraction.extractStored(response, true))).as("deterministic").isEqualTo(json(proposed));
	}

	@Test
	void theOrderOfTheResponseItemsDoesNotChangeTheBundle() {
		QuestionnaireResponse response = hvs(ScreeningRules.SOMETIMES_TRUE, ScreeningRules.NEVER_TRUE);
		QuestionnaireResponse reversed = response.copy();
		Collections.reverse(reversed.getItem());
		assertThat(json(extraction.extractStored(reversed, true))).isEqualTo(json(extraction.extractStored(response, true)));
	}

	@Test
	void namesComeFromTheResponseAndTheItem() {
		Bundle one = extraction.extractStored(hvs(ScreeningRules.OFTEN_TRUE, ScreeningRules.OFTEN_TRUE), true);
		QuestionnaireResponse other = hvs(ScreeningRules.OFTEN_TRUE, ScreeningRules.OFTEN_TRUE);
		other.setId("QuestionnaireResponse/hvs-2/_history/1");
		Bundle two = extraction.extractStored(other, true);
		assertThat(one.getEntry()).extracting(Bundle.BundleEntryComponent::getFullUrl)
				.allMatch(u -> u.startsWith("urn:uuid:"))
				.doesNotContainAnyElementsOf(two.getEntry().stream().map(Bundle.BundleEntryComponent::getFullUrl).toList());
		// The same response amended (a new version) extracts afresh rather than matching the old answers.
		QuestionnaireResponse amended = hvs(ScreeningRules.OFTEN_TRUE, ScreeningRules.OFTEN_TRUE);
		amended.setId("QuestionnaireResponse/hvs-1/_history/2");
		assertThat(extraction.extractStored(amended, true).getEntryFirstRep().getFullUrl()).isNotEqualTo(one.getEntryFirstRep().getFullUrl());
	}

	@Test
	void aSubmittedResponseTravelsInTheBundleAndNamesFollowItsContent() {
		QuestionnaireResponse response = hvs(ScreeningRules.OFTEN_TRUE, ScreeningRules.NEVER_TRUE);
		response.setId((String) null);
		Bundle bundle = extraction.extractSubmitted(response, true);
		Bundle.BundleEntryComponent first = bundle.getEntryFirstRep();
		assertThat(first.getResource()).isInstanceOf(QuestionnaireResponse.class);
		assertThat(first.getRequest().getIfNoneExist()).isEqualTo("identifier=urn:ietf:rfc:3986|" + first.getFullUrl());
		assertThat(observations(bundle)).allSatisfy(o -> {
			if (!o.getCode().getCodingFirstRep().getCode().equals(ScreeningRules.HVS_RISK)) {
				assertThat(o.getDerivedFromFirstRep().getReference()).isEqualTo(first.getFullUrl());
			}
		});
		assertConformsAndIsConditional(bundle);
		assertThat(json(extraction.extractSubmitted(response.copy(), true))).isEqualTo(json(bundle));
		QuestionnaireResponse changed = response.copy();
		changed.setAuthoredElement(new DateTimeType("2026-10-07T09:00:00-05:00"));
		assertThat(extraction.extractSubmitted(changed, true).getEntryFirstRep().getFullUrl()).isNotEqualTo(first.getFullUrl());
	}

	@Test
	void ahcHrsnCoreQuestions() {
		QuestionnaireResponse response = new QuestionnaireResponse();
		response.setId("QuestionnaireResponse/ahc-1/_history/1");
		response.setQuestionnaire(ScreeningForms.AHC_HRSN);
		response.setStatus(QuestionnaireResponse.QuestionnaireResponseStatus.COMPLETED);
		response.setSubject(new Reference("Patient/patient-miguel"));
		response.setAuthoredElement(new DateTimeType("2026-11-02T10:00:00-06:00"));
		answer(response, "/71802-3", "LA31994-9");
		answer(response, "/96778-6", "LA31996-4", "LA28580-1");
		answer(response, "/88122-7", ScreeningRules.NEVER_TRUE);
		answer(response, "/88123-5", ScreeningRules.SOMETIMES_TRUE);
		answer(response, "/93030-5", "LA32-8");
		answer(response, "/96779-4", "LA32002-0");
		answer(response, "/95618-5", "LA6270-8");
		answer(response, "/95617-7", "LA16644-9");
		answer(response, "/95616-9", "LA10082-8");
		answer(response, "/95615-1", "LA6482-9");

		Bundle bundle = extraction.extractStored(response, true);
		assertConformsAndIsConditional(bundle);
		List<Observation> observations = observations(bundle);
		// 10 questions (housing problems as a group of 2 members), the HVS risk, the HITS total.
		assertThat(observations).hasSize(10 + 2 + 1 + 1);
		assertThat(byCode(observations, "71802-3").getCategory()).extracting(c -> c.getCodingFirstRep().getCode())
				.contains("survey", "sdoh", "housing-instability", "homelessness");
		assertThat(byCode(observations, "71802-3").getInterpretationFirstRep().getCodingFirstRep().getCode()).isEqualTo("POS");
		assertThat(byCode(observations, "93030-5").hasInterpretation()).as("No transportation problem").isFalse();
		Observation housing = observations.stream()
				.filter(o -> o.getCode().getCodingFirstRep().getCode().equals("96778-6") && o.hasHasMember()).findFirst().orElseThrow();
		assertThat(housing.getHasMember()).hasSize(2);
		assertThat(byCode(observations, ScreeningRules.HVS_RISK).getValueCodeableConcept().getCodingFirstRep().getCode())
				.isEqualTo(ScreeningRules.AT_RISK);
		Observation hits = byCode(observations, ScreeningRules.HITS_TOTAL);
		assertThat(hits.getValueQuantity().getValue().intValue()).isEqualTo(1 + 4 + 3 + 5);
		assertThat(hits.getInterpretationFirstRep().getCodingFirstRep().getCode()).isEqualTo("POS");
		assertThat(resources(bundle, Condition.class)).hasSize(1);
	}

	@Test
	void refusals() {
		QuestionnaireResponse unknown = hvs(ScreeningRules.OFTEN_TRUE, null);
		unknown.setQuestionnaire("http://example.org/Questionnaire/phq-9");
		assertRefused(unknown, "QuestionnaireResponse.questionnaire", OperationOutcome.IssueType.NOTSUPPORTED);

		QuestionnaireResponse noSubject = hvs(ScreeningRules.OFTEN_TRUE, null);
		noSubject.setSubject(null);
		assertRefused(noSubject, "QuestionnaireResponse.subject", OperationOutcome.IssueType.REQUIRED);

		QuestionnaireResponse group = hvs(ScreeningRules.OFTEN_TRUE, null);
		group.setSubject(new Reference("Group/household-7"));
		assertRefused(group, "QuestionnaireResponse.subject", OperationOutcome.IssueType.BUSINESSRULE);

		QuestionnaireResponse badCode = hvs(ScreeningRules.OFTEN_TRUE, "LA33-6");
		assertRefused(badCode, "QuestionnaireResponse.item[1].answer[0].value", OperationOutcome.IssueType.CODEINVALID);

		QuestionnaireResponse twoAnswers = hvs(ScreeningRules.OFTEN_TRUE, null);
		twoAnswers.getItemFirstRep().addAnswer().setValue(new Coding(LOINC, ScreeningRules.NEVER_TRUE, null));
		assertRefused(twoAnswers, "QuestionnaireResponse.item[0].answer[1]", OperationOutcome.IssueType.STRUCTURE);

		QuestionnaireResponse unknownItem = hvs(ScreeningRules.OFTEN_TRUE, null);
		answer(unknownItem, "/88124-3", ScreeningRules.AT_RISK);
		assertRefused(unknownItem, "QuestionnaireResponse.item[1].linkId", OperationOutcome.IssueType.STRUCTURE);

		QuestionnaireResponse inProgress = hvs(ScreeningRules.OFTEN_TRUE, null);
		inProgress.setStatus(QuestionnaireResponse.QuestionnaireResponseStatus.INPROGRESS);
		assertRefused(inProgress, "QuestionnaireResponse.status", OperationOutcome.IssueType.BUSINESSRULE);

		QuestionnaireResponse noTime = hvs(ScreeningRules.OFTEN_TRUE, null);
		noTime.setAuthoredElement(null);
		assertRefused(noTime, "QuestionnaireResponse.authored", OperationOutcome.IssueType.REQUIRED);
	}

	// ---------------------------------------------------------------- helpers

	static QuestionnaireResponse hvs(String worried, String ranOut) {
		QuestionnaireResponse response = new QuestionnaireResponse();
		response.setId("QuestionnaireResponse/hvs-1/_history/1");
		response.setQuestionnaire(ScreeningForms.HUNGER_VITAL_SIGN);
		response.setStatus(QuestionnaireResponse.QuestionnaireResponseStatus.COMPLETED);
		response.setSubject(new Reference("Patient/patient-amina"));
		response.setAuthoredElement(new DateTimeType("2026-10-06T15:20:00-05:00"));
		if (worried != null) {
			answer(response, "/88122-7", worried);
		}
		if (ranOut != null) {
			answer(response, "/88123-5", ranOut);
		}
		return response;
	}

	static void answer(QuestionnaireResponse response, String linkId, String... codes) {
		QuestionnaireResponse.QuestionnaireResponseItemComponent item = response.addItem().setLinkId(linkId);
		for (String code : codes) {
			item.addAnswer().setValue(new Coding(LOINC, code, null));
		}
	}

	private static void assertRefused(QuestionnaireResponse response, String expression, OperationOutcome.IssueType code) {
		assertThatThrownBy(() -> extraction.extractStored(response, true))
				.isInstanceOf(UnprocessableEntityException.class)
				.satisfies(e -> {
					OperationOutcome outcome = (OperationOutcome) ((UnprocessableEntityException) e).getOperationOutcome();
					assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(code);
					assertThat(outcome.getIssueFirstRep().getExpression()).extracting(s -> s.getValue()).containsExactly(expression);
				});
	}

	/** What the server's guide enforcement would say of each entry on POST, and that each is a conditional create. */
	private static void assertConformsAndIsConditional(Bundle bundle) {
		assertThat(bundle.getType()).isEqualTo(Bundle.BundleType.TRANSACTION);
		for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
			Resource resource = entry.getResource();
			assertThat(entry.getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.POST);
			assertThat(entry.getRequest().getIfNoneExist()).startsWith("identifier=");
			if (!(resource instanceof QuestionnaireResponse)) {
				assertThat(validator.selector().profilesFor(resource)).as(resource.fhirType()).containsExactly(
						resource instanceof Condition ? ProfileSelector.CONDITION : ProfileSelector.SCREENING_RESPONSE);
			}
			assertThat(validator.validate(resource).getMessages())
					.as(json(resource))
					.filteredOn(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
					.isEmpty();
		}
	}

	private static List<Observation> observations(Bundle bundle) {
		return resources(bundle, Observation.class);
	}

	private static <T extends Resource> List<T> resources(Bundle bundle, Class<T> type) {
		return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource).filter(type::isInstance).map(type::cast).toList();
	}

	private static Observation byCode(List<Observation> observations, String code) {
		return observations.stream().filter(o -> o.getCode().getCodingFirstRep().getCode().equals(code)).findFirst().orElseThrow();
	}

	private static String fullUrl(Bundle bundle, Resource resource) {
		return bundle.getEntry().stream().filter(e -> e.getResource() == resource).findFirst().orElseThrow().getFullUrl();
	}

	private static List<String> fullUrls(Bundle bundle, List<? extends Resource> resources) {
		return resources.stream().map(r -> fullUrl(bundle, r)).toList();
	}

	private static String json(org.hl7.fhir.instance.model.api.IBaseResource resource) {
		return FHIR.newJsonParser().encodeResourceToString(resource);
	}
}
