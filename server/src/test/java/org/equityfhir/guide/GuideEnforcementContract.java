package org.equityfhir.guide;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Stream;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;

/** Our guide as clients meet it over HTTP: installed, listed, enforced on write, answered by $validate. */
abstract class GuideEnforcementContract extends FhirServerTestBase {

	private static final String PROFILE_BASE = "http://equityfhir.org/fhir/StructureDefinition/";
	private static final String GRAVITY = "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/";

	@Autowired
	GuideValidator validator;

	static Stream<GuideFixtures.Invalid> invalidExamples() {
		return GuideFixtures.invalidExamples().stream();
	}

	private static final java.util.Set<Integer> examplesLoadedOnPort = java.util.concurrent.ConcurrentHashMap.newKeySet();

	/** The valid examples, stored once per server as one transaction with their own ids (PUT). */
	@BeforeEach
	void loadValidExamples() {
		if (!examplesLoadedOnPort.add(port)) {
			return;
		}
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (GuideFixtures.Example example : GuideFixtures.validExamples()) {
			Resource resource = (Resource) example.resource();
			String url = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
			tx.addEntry().setFullUrl(url).setResource(resource).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(url);
		}
		HttpResponse<String> response = post("", FHIR_JSON, json(tx));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(parse(Bundle.class, response.body()).getEntry())
				.hasSize(tx.getEntry().size())
				.allSatisfy(e -> assertThat(e.getResponse().getStatus()).matches("20[01].*"));
	}

	@Test
	void structureDefinitionsListOurProfiles() {
		Bundle page = client().search()
				.byUrl("StructureDefinition?url:below=" + PROFILE_BASE + "&_elements=url")
				.returnBundle(Bundle.class).execute();
		List<String> urls = new java.util.ArrayList<>();
		while (page != null) {
			page.getEntry().forEach(e -> urls.add(((org.hl7.fhir.r4.model.StructureDefinition) e.getResource()).getUrl()));
			page = page.getLink(Bundle.LINK_NEXT) == null ? null : client().loadPage().next(page).execute();
		}
		assertThat(urls).contains(
				ProfileSelector.PRACTITIONER, ProfileSelector.PRACTITIONER_ROLE, ProfileSelector.ORGANIZATION,
				ProfileSelector.COMMUNITY_SERVICE, ProfileSelector.COMMUNITY_ORGANIZATION, ProfileSelector.LOCATION, ProfileSelector.SCREENING_RESPONSE,
				ProfileSelector.ASSESSMENT, ProfileSelector.CONDITION, ProfileSelector.GOAL, ProfileSelector.INTERVENTION,
				ProfileSelector.REFERRAL, ProfileSelector.REFERRAL_TASK, ProfileSelector.CONSENT,
				PROFILE_BASE + "cultural-competency", PROFILE_BASE + "directory-display-consent");
		assertThat(urls).doesNotHaveDuplicates();
	}

	@Test
	void theGuidesSearchParametersAreActive() {
		Bundle somali = client().search()
				.byUrl("HealthcareService?language=urn:ietf:bcp:47|so&_elements=id")
				.returnBundle(Bundle.class).execute();
		assertThat(somali.getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart())
				.contains("healthcareservice-food-shelf");
		Bundle klingon = client().search()
				.byUrl("HealthcareService?language=urn:ietf:bcp:47|tlh&_elements=id")
				.returnBundle(Bundle.class).execute();
		assertThat(klingon.getEntry()).isEmpty();
	}

	@Test
	void officialGravityExamplesAreAcceptedWhenTheyMeetOurConstraints() {
		List<String> declaringGravity = GuideFixtures.validExamples().stream()
				.filter(e -> ((Resource) e.resource()).getMeta().getProfile().stream()
						.anyMatch(p -> p.getValue().startsWith(GRAVITY)))
				.map(GuideFixtures.Example::file)
				.toList();
		// Stored by loadValidExamples(): they declare profiles this server does not load, and pass ours.
		assertThat(declaringGravity).anyMatch(f -> f.startsWith("Observation-"))
				.anyMatch(f -> f.startsWith("ServiceRequest-"))
				.anyMatch(f -> f.startsWith("Task-"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidExamples")
	void nonConformingWriteIsRefusedWithAPointedOutcomeAndNothingStored(GuideFixtures.Invalid invalid) {
		IBaseResource resource = invalid.resource();
		String type = resource.fhirType();
		int before = count(type);

		HttpResponse<String> response = post(type, FHIR_JSON, json(resource));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
		OperationOutcome outcome = parse(OperationOutcome.class, response.body());
		assertThat(outcome.getIssue()).anySatisfy(issue -> {
			assertThat(issue.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
			assertThat(issue.getExpression()).extracting(e -> e.getValue()).anyMatch(e -> e.startsWith(invalid.expression()));
			assertThat(issue.getDiagnostics()).contains(invalid.message());
		});
		assertThat(count(type)).isEqualTo(before);
	}

	@Test
	void transactionWithOneNonConformingEntryStoresNothing() {
		Patient patient = new Patient();
		patient.addIdentifier().setSystem("urn:equity-test:tx-guide").setValue(java.util.UUID.randomUUID().toString());
		GuideFixtures.Invalid madeUpLanguage = invalid("Practitioner-invalid-made-up-language.json");
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		tx.addEntry().setResource(patient).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
		tx.addEntry().setResource((Resource) madeUpLanguage.resource()).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Practitioner");
		int practitioners = count("Practitioner");

		HttpResponse<String> response = post("", FHIR_JSON, json(tx));

		assertThat(response.statusCode()).isEqualTo(422);
		assertThat(response.body()).contains(madeUpLanguage.expression());
		Bundle found = client().search().byUrl("Patient?identifier=" + patient.getIdentifierFirstRep().getSystem()
				+ "|" + patient.getIdentifierFirstRep().getValue()).returnBundle(Bundle.class).execute();
		assertThat(found.getEntry()).isEmpty();
		assertThat(count("Practitioner")).isEqualTo(practitioners);
	}

	@Test
	void validateReportsWhatAWriteWouldRefuseWithoutStoring() {
		GuideFixtures.Invalid madeUpLanguage = invalid("Practitioner-invalid-made-up-language.json");
		int before = count("Practitioner");

		HttpResponse<String> response = post("Practitioner/$validate", FHIR_JSON, json(madeUpLanguage.resource()));

		assertThat(response.statusCode()).isIn(200, 412, 422);
		OperationOutcome outcome = parse(OperationOutcome.class, response.body());
		assertThat(outcome.getIssue()).anySatisfy(issue -> {
			assertThat(issue.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
			assertThat(issue.getDiagnostics()).contains(madeUpLanguage.message());
		});
		assertThat(count("Practitioner")).isEqualTo(before);

		Practitioner valid = (Practitioner) GuideFixtures.validExamples().stream()
				.filter(e -> e.resource() instanceof Practitioner).findFirst().orElseThrow().resource();
		assertThat(errorsFrom(post("Practitioner/$validate", FHIR_JSON, json(valid)))).isEmpty();
	}

	@Test
	void validateWithAProfileAppliesItToResourcesOurGuideDoesNotSelect() {
		Observation heartRate = new Observation();
		heartRate.setStatus(Observation.ObservationStatus.FINAL);
		heartRate.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4");
		assertThat(validator.selector().profilesFor(heartRate)).isEmpty();

		assertThat(errorsFrom(post("Observation/$validate", FHIR_JSON, json(heartRate)))).isEmpty();
		assertThat(errorsFrom(post("Observation/$validate?profile=" + ProfileSelector.SCREENING_RESPONSE, FHIR_JSON, json(heartRate))))
				.isNotEmpty();
	}

	/** Any valid BCP-47 tag is a language a clinician may speak; a made-up one is still refused. */
	@ParameterizedTest(name = "{0}")
	@org.junit.jupiter.params.provider.ValueSource(strings = {"ja", "kar", "om", "ase", "es-MX", "hmn", "so"})
	void practitionersMaySpeakAnyValidLanguage(String tag) {
		HttpResponse<String> response = post("Practitioner", FHIR_JSON, json(speaking(tag)));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
	}

	@Test
	void aMadeUpLanguageTagIsRefusedAtCommunication() {
		HttpResponse<String> response = post("Practitioner", FHIR_JSON, json(speaking("qq-zz")));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
		assertThat(parse(OperationOutcome.class, response.body()).getIssue()).anySatisfy(issue -> {
			assertThat(issue.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
			assertThat(issue.getExpression()).extracting(e -> e.getValue()).contains("Practitioner.communication[0]");
		});
	}

	private static Practitioner speaking(String tag) {
		Practitioner practitioner = new Practitioner();
		practitioner.addIdentifier().setSystem("urn:equity-test:practitioner").setValue(java.util.UUID.randomUUID().toString());
		practitioner.addName().setFamily("Tanaka").addGiven("Yuki");
		practitioner.addCommunication().addCoding().setSystem("urn:ietf:bcp:47").setCode(tag);
		return practitioner;
	}

	/** Synthea writes PRAPARE (LOINC 93025-5) with the survey category only: one survey must not lose a history. */
	@Test
	void aSurveyOnlyPrapareObservationIsAccepted() {
		Patient patient = new Patient();
		patient.addName().setFamily("Survey");
		String patientId = client().create().resource(patient).execute().getId().toUnqualifiedVersionless().getValue();
		Observation prapare = new Observation();
		prapare.setStatus(Observation.ObservationStatus.FINAL);
		prapare.addCategory().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/observation-category").setCode("survey");
		prapare.getCode().addCoding().setSystem("http://loinc.org").setCode("93025-5")
				.setDisplay("Protocol for Responding to and Assessing Patients' Assets, Risks, and Experiences [PRAPARE]");
		prapare.setSubject(new org.hl7.fhir.r4.model.Reference(patientId));
		prapare.setEffective(new org.hl7.fhir.r4.model.DateTimeType("2024-03-01T10:00:00Z"));
		prapare.addComponent().setCode(new org.hl7.fhir.r4.model.CodeableConcept().addCoding(
						new org.hl7.fhir.r4.model.Coding("http://loinc.org", "56051-6", "Hispanic or Latino")))
				.setValue(new org.hl7.fhir.r4.model.CodeableConcept().addCoding(
						new org.hl7.fhir.r4.model.Coding("http://loinc.org", "LA32-8", "No")));
		HttpResponse<String> response = post("Observation", FHIR_JSON, json(prapare));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
	}

	/** /metadata says, per type, exactly what the selection rule does: same profiles, same words. */
	@Test
	void metadataDescribesTheSelectionRule() {
		org.hl7.fhir.r4.model.CapabilityStatement cs =
				parse(org.hl7.fhir.r4.model.CapabilityStatement.class, get("metadata").body());
		java.util.Map<String, List<ProfileSelector.Rule>> byType = validator.selector().rulesByType();
		List<org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent> described =
				cs.getRestFirstRep().getResource().stream().filter(r -> byType.containsKey(r.getType())).toList();
		assertThat(described).extracting(r -> r.getType()).containsExactlyInAnyOrderElementsOf(byType.keySet());
		for (var resource : described) {
			List<ProfileSelector.Rule> rules = byType.get(resource.getType());
			List<String> supported = resource.getSupportedProfile().stream().map(p -> p.getValue()).toList();
			assertThat(supported).doesNotHaveDuplicates();
			assertThat(supported.subList(0, rules.size()))
					.containsExactlyElementsOf(rules.stream().map(ProfileSelector.Rule::profile).toList());
			assertThat(resource.getDocumentation()).isEqualTo(GuideCapabilityStatementInterceptor.documentation(rules));
		}
		assertThat(described).filteredOn(r -> r.getType().equals("Patient")).singleElement()
				.satisfies(r -> assertThat(r.getDocumentation()).contains("only when it declares"));
	}

	/** With equity.ig.extra-packages (tests set it where ../shared/fhir-packages exists), official profiles apply. */
	@Test
	void anOfficialProfileIsValidatedWhenItsPackageIsInstalled() {
		org.junit.jupiter.api.Assumptions.assumeTrue(
				java.nio.file.Files.isDirectory(org.equityfhir.testsupport.DatabaseInitializers.OFFICIAL_PACKAGES),
				"Skipped: ../shared/fhir-packages is absent, so no official package is installed");
		String usCorePatient = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient";
		Patient anonymous = new Patient();
		anonymous.addName().setFamily("Nobody");
		anonymous.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.UNKNOWN);

		assertThat(errorsFrom(post("Patient/$validate", FHIR_JSON, json(anonymous)))).isEmpty();
		assertThat(errorsFrom(post("Patient/$validate?profile=" + usCorePatient, FHIR_JSON, json(anonymous))))
				.anySatisfy(issue -> assertThat(issue.getDiagnostics()).contains("Patient.identifier"));

		anonymous.getMeta().addProfile(usCorePatient);
		HttpResponse<String> refused = post("Patient", FHIR_JSON, json(anonymous));
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
		assertThat(refused.body()).contains("Patient.identifier");
	}

	private List<OperationOutcome.OperationOutcomeIssueComponent> errorsFrom(HttpResponse<String> response) {
		return parse(OperationOutcome.class, response.body()).getIssue().stream()
				.filter(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
						|| i.getSeverity() == OperationOutcome.IssueSeverity.FATAL)
				.toList();
	}

	private static GuideFixtures.Invalid invalid(String file) {
		return GuideFixtures.invalidExamples().stream().filter(i -> i.file().equals(file)).findFirst().orElseThrow();
	}

	private int count(String type) {
		return client().search().byUrl(type + "?_summary=count").returnBundle(Bundle.class).execute().getTotal();
	}
}
