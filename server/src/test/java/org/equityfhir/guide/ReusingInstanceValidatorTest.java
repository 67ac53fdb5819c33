package org.equityfhir.guide;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationOptions;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reusing HL7's validators changes nothing a client sees: every example and counter-example we have (ours,
 * Gravity's, and US Core's and Plan-Net's where ../shared holds them) gets exactly the findings HAPI's own
 * validator gives it, message for message, whichever resource a reused validator validated before, and on
 * four threads sharing the pool.
 */
class ReusingInstanceValidatorTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	private static ProfileSelector selector;
	private static ValidationSupportChain chain;
	private static FhirInstanceValidator hapi;
	private static ReusingInstanceValidator reusing;
	private static List<Named> corpus;
	/** HAPI's findings for each resource of the corpus, in its order. */
	private static java.util.Map<Named, List<String>> hapiFindings;

	record Named(String name, IBaseResource resource) {}

	@BeforeAll
	static void build() {
		List<GuidePackage> ours = GuidePackage.loadAll();
		List<GuidePackage> official = new ArrayList<>();
		for (String file : List.of(NationalPackages.US_CORE_7, NationalPackages.PLAN_NET_11)) {
			if (Files.isRegularFile(NationalPackages.FOLDER.resolve(file))) {
				official.add(GuidePackage.fromFile(NationalPackages.FOLDER.resolve(file)));
			}
		}
		// One chain for both, as the server has one: only the instance validator differs.
		chain = GuideValidator.chain(FHIR, Stream.concat(ours.stream(), official.stream())
				.map(p -> GuideValidator.conformanceResources(FHIR, p)).toList());
		hapi = GuideValidator.instanceValidator(chain, false);
		reusing = (ReusingInstanceValidator) GuideValidator.instanceValidator(chain, true);
		GuidePackage terminology = ours.stream()
				.filter(p -> p.id().equals(GuidePackage.TERMINOLOGY_ID)).findFirst().orElseThrow();
		selector = new ProfileSelector(FHIR, terminology);

		corpus = new ArrayList<>();
		GuideFixtures.validExamples().forEach(e -> corpus.add(new Named(e.file(), e.resource())));
		GuideFixtures.invalidExamples().forEach(e -> corpus.add(new Named(e.file(), e.resource())));
		GravityExamplesContract.fixtures().forEach(e -> corpus.add(new Named(e.source(), e.resource())));
		for (String file : List.of(NationalPackages.US_CORE_7, NationalPackages.PLAN_NET_11)) {
			if (Files.isRegularFile(NationalPackages.FOLDER.resolve(file))) {
				NationalPackages.storableExamples(file).forEach(e -> corpus.add(new Named(e.source(), e.resource())));
			}
		}
		hapiFindings = new java.util.IdentityHashMap<>();
		corpus.forEach(named -> hapiFindings.put(named, findings(hapi, named.resource())));
	}

	@Test
	void findingsAreHapisForEveryResourceInAnyOrder() {
		int builtBefore = reusing.validatorsBuilt();
		int compared = 0;
		// One validator serves resource after resource, so each validation starts from the state the last left.
		for (Named named : corpus) {
			assertThat(findings(reusing, named.resource()))
					.as(named.name())
					.containsExactlyElementsOf(hapiFindings.get(named));
			compared++;
		}
		assertThat(compared).as("resources compared (more with ../shared)").isGreaterThan(60);
		assertThat(reusing.validatorsBuilt() - builtBefore)
				.as("HL7 validators built for %d validations", compared)
				.isLessThanOrEqualTo(compared / ReusingInstanceValidator.USES + 1);
		// An idle validator keeps nothing of what it validated (HL7's keeps each coding, text and narrative).
		assertThat(reusing.idleCount()).as("idle validators").isPositive();
		assertThat(reusing.idleRetained()).as("entries idle validators still hold").isZero();
	}

	@Test
	void findingsAreHapisWithFourThreadsSharingThePool() throws Exception {
		int builtBefore = reusing.validatorsBuilt();
		ExecutorService threads = Executors.newFixedThreadPool(4);
		try {
			List<Future<List<String>>> results = new ArrayList<>();
			for (Named named : corpus) {
				results.add(threads.submit(() -> findings(reusing, named.resource())));
			}
			for (int i = 0; i < results.size(); i++) {
				assertThat(results.get(i).get())
						.as(corpus.get(i).name())
						.containsExactlyElementsOf(hapiFindings.get(corpus.get(i)));
			}
			assertThat(reusing.validatorsBuilt() - builtBefore)
					.as("HL7 validators built for %d validations on 4 threads", corpus.size())
					.isLessThan(corpus.size() / 10);
		} finally {
			threads.shutdownNow();
		}
	}

	/**
	 * HL7's validator warns about a retired definition once per validator; a reused one must still warn for
	 * every resource, as HAPI's fresh validators do. Nothing in the corpus uses a retired definition, so this
	 * test makes one: a copy of R4's birthPlace extension, marked retired.
	 */
	@Test
	void aRetiredDefinitionIsReportedForEveryResourceNotOncePerValidator() {
		String url = "http://example.org/fhir/StructureDefinition/retired-birth-place";
		org.hl7.fhir.r4.model.StructureDefinition retired = (org.hl7.fhir.r4.model.StructureDefinition)
				new ca.uhn.fhir.context.support.DefaultProfileValidationSupport(FHIR)
						.fetchStructureDefinition("http://hl7.org/fhir/StructureDefinition/patient-birthPlace");
		retired = retired.copy();
		retired.setUrl(url).setStatus(org.hl7.fhir.r4.model.Enumerations.PublicationStatus.RETIRED);
		for (var element : retired.getSnapshot().getElement()) {
			if (element.getPath().equals("Extension.url")) {
				element.setFixed(new org.hl7.fhir.r4.model.UriType(url));
			}
		}
		for (var element : retired.getDifferential().getElement()) {
			if (element.getPath().equals("Extension.url")) {
				element.setFixed(new org.hl7.fhir.r4.model.UriType(url));
			}
		}
		org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport extra =
				new org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport(FHIR);
		extra.addStructureDefinition(retired);
		ValidationSupportChain chain = GuideValidator.chain(FHIR, List.of(extra));
		FhirInstanceValidator hapiModule = GuideValidator.instanceValidator(chain, false);
		FhirInstanceValidator reusingModule = GuideValidator.instanceValidator(chain, true);
		org.hl7.fhir.r4.model.Patient patient = new org.hl7.fhir.r4.model.Patient();
		patient.addName().setFamily("Warsame");
		patient.addExtension(url, new org.hl7.fhir.r4.model.Address().setCity("Saint Paul"));

		List<String> expected = render(FHIR.newValidator().registerValidatorModule(hapiModule)
				.validateWithResult(patient).getMessages());
		assertThat(expected).as("HAPI's findings").anyMatch(f -> f.contains("retired"));
		for (int i = 0; i < 3; i++) {
			assertThat(render(FHIR.newValidator().registerValidatorModule(reusingModule)
							.validateWithResult(patient).getMessages()))
					.as("validation %d with the same reused validator", i + 1)
					.containsExactlyElementsOf(expected);
		}
	}

	/**
	 * A setting changed after the pool has validators is honoured (they are built again), and a profile
	 * that cannot be found is reported as HAPI reports it, with either severity.
	 */
	@Test
	void settingsChangedLaterAndUnknownProfilesAreHapis() {
		FhirInstanceValidator hapiModule = GuideValidator.instanceValidator(chain, false);
		ReusingInstanceValidator reusingModule = (ReusingInstanceValidator) GuideValidator.instanceValidator(chain, true);
		Named example = corpus.get(0);
		org.hl7.fhir.r4.model.Basic basic = new org.hl7.fhir.r4.model.Basic();
		basic.getCode().setText("not a profile we have");
		ValidationOptions unknown = new ValidationOptions().addProfile("http://example.org/fhir/StructureDefinition/none");
		for (boolean errorForUnknown : List.of(false, true)) {
			for (FhirInstanceValidator module : List.of(hapiModule, reusingModule)) {
				module.setErrorForUnknownProfiles(errorForUnknown);
				module.setNoTerminologyChecks(errorForUnknown);
			}
			assertThat(render(FHIR.newValidator().registerValidatorModule(reusingModule)
							.validateWithResult(example.resource(), options(example.resource())).getMessages()))
					.as("%s, errorForUnknownProfiles and noTerminologyChecks %s", example.name(), errorForUnknown)
					.containsExactlyElementsOf(render(FHIR.newValidator().registerValidatorModule(hapiModule)
							.validateWithResult(example.resource(), options(example.resource())).getMessages()));
			assertThat(render(FHIR.newValidator().registerValidatorModule(reusingModule)
							.validateWithResult(basic, unknown).getMessages()))
					.as("an unknown profile, errorForUnknownProfiles %s", errorForUnknown)
					.containsExactlyElementsOf(render(FHIR.newValidator().registerValidatorModule(hapiModule)
							.validateWithResult(basic, unknown).getMessages()));
		}
		assertThat(reusingModule.validatorsBuilt()).as("a validator for each set of settings").isEqualTo(2);
	}

	@Test
	void xmlInputStillValidatesThroughHapisOwnPath() {
		Named example = corpus.get(0);
		String xml = FHIR.newXmlParser().encodeResourceToString(example.resource());
		FhirValidator reusingValidator = FHIR.newValidator().registerValidatorModule(reusing);
		FhirValidator hapiValidator = FHIR.newValidator().registerValidatorModule(hapi);
		ValidationOptions options = options(example.resource());
		assertThat(render(reusingValidator.validateWithResult(xml, options).getMessages()))
				.containsExactlyElementsOf(render(hapiValidator.validateWithResult(xml, options).getMessages()));
	}

	/** What the server reports for this resource through the given module: severity, location, text. */
	private static List<String> findings(FhirInstanceValidator module, IBaseResource resource) {
		FhirValidator validator = FHIR.newValidator().registerValidatorModule(module);
		return render(validator.validateWithResult(resource, options(resource)).getMessages());
	}

	private static ValidationOptions options(IBaseResource resource) {
		ValidationOptions options = new ValidationOptions();
		selector.profilesFor(resource).forEach(options::addProfile);
		return options;
	}

	private static List<String> render(List<SingleValidationMessage> messages) {
		return messages.stream()
				.map(m -> m.getSeverity() + " " + m.getLocationString() + " " + m.getMessageId() + ": " + m.getMessage())
				.toList();
	}
}
