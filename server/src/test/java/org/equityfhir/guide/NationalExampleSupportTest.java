package org.equityfhir.guide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

/**
 * What the national-guide acceptance tests (NationalExamplesContract, GravityExamplesContract) rely on:
 * NPI check digits, dependency order, and that their example sets are complete and self-contained.
 */
class NationalExampleSupportTest {

	@Test
	void npiCheckDigitFollowsCms() {
		// 1234567893 is CMS's worked example; 9941339100 is the NPI of Gravity's and US Core's Dr Jan Water examples.
		assertThat(NpiNumbers.isValid("1234567893")).isTrue();
		assertThat(NpiNumbers.isValid("9941339100")).isTrue();
		assertThat(NpiNumbers.isValid("1234567890")).isFalse();
		assertThat(NpiNumbers.isValid("NPI323")).isFalse();
		assertThat(NpiNumbers.isValid("123456789")).isFalse();
	}

	@Test
	void generatedNpisAreValidDistinctAndReproducible() {
		List<String> generated = IntStream.rangeClosed(1, 200).mapToObj(NpiNumbers::generated).toList();
		assertThat(generated).allMatch(NpiNumbers::isValid).doesNotHaveDuplicates();
		assertThat(NpiNumbers.generated(7)).isEqualTo(generated.get(6));
	}

	@Test
	void referencedResourcesComeFirst() {
		Patient patient = new Patient();
		patient.setId("p");
		Encounter encounter = new Encounter();
		encounter.setId("e");
		encounter.setSubject(new Reference("Patient/p"));
		Observation observation = new Observation();
		observation.setId("o");
		observation.setSubject(new Reference("Patient/p"));
		observation.setEncounter(new Reference("Encounter/e"));
		observation.addHasMember(new Reference("#contained"));
		observation.addDerivedFrom(new Reference("Observation/elsewhere"));

		List<StorableExamples.Example> ordered = StorableExamples.inDependencyOrder(List.of(
				new StorableExamples.Example("t", observation), new StorableExamples.Example("t", encounter),
				new StorableExamples.Example("t", patient)));

		assertThat(ordered).extracting(StorableExamples.Example::key).containsExactly("Patient/p", "Encounter/e", "Observation/o");
		assertThat(StorableExamples.danglingReferences(ordered)).containsOnlyKeys("Observation/o")
				.containsValue(Set.of("Observation/elsewhere"));
	}

	@Test
	void aReferenceCycleIsReportedByName() {
		Patient a = new Patient();
		a.setId("a");
		a.addLink().setOther(new Reference("Patient/b"));
		Patient b = new Patient();
		b.setId("b");
		b.addLink().setOther(new Reference("Patient/a"));

		assertThatThrownBy(() -> StorableExamples.inDependencyOrder(List.of(
						new StorableExamples.Example("t", a), new StorableExamples.Example("t", b))))
				.hasMessageContaining("Patient/a").hasMessageContaining("Patient/b");
	}

	@Test
	void onlySearchsetBundlesAreLeftOutOfThePackages() {
		// US Core 7.0.0 ships 214 example files: 210 resources and 4 searchset Bundles; Plan-Net 1.1.0 ships 49 resources.
		assertThat(NationalPackages.storableExamples(NationalPackages.US_CORE_7)).hasSize(210)
				.noneMatch(e -> e.resource().fhirType().equals("Bundle"));
		assertThat(NationalPackages.storableExamples(NationalPackages.PLAN_NET_11)).hasSize(49);
	}

	@Test
	void packageExamplesReferenceOnlyExamplesOfTheirOwnPackage() {
		// So nothing is left out or stubbed: a dangling reference would be refused by referential integrity.
		for (String file : List.of(NationalPackages.US_CORE_7, NationalPackages.PLAN_NET_11)) {
			Map<String, Set<String>> dangling = StorableExamples.danglingReferences(NationalPackages.storableExamples(file));
			assertThat(dangling).as(() -> file + ": " + StoredExamplesTestBase.describe(dangling)).isEmpty();
		}
	}

	@Test
	void planNetPlaceholderNpisAreReplacedWithValidOnes() {
		List<StorableExamples.Example> replaced = NationalPackages.withPlaceholderNpisReplaced(
				NationalPackages.storableExamples(NationalPackages.PLAN_NET_11));
		List<String> npis = replaced.stream()
				.flatMap(e -> FhirContext.forR4Cached().newTerser()
						.getAllPopulatedChildElementsOfType(e.resource(), Identifier.class).stream())
				.filter(i -> NpiNumbers.SYSTEM.equals(i.getSystem()))
				.map(Identifier::getValue)
				.toList();
		assertThat(npis).isNotEmpty().allMatch(NpiNumbers::isValid);
		assertThat(replaced).filteredOn(e -> e.note() != null).extracting(StorableExamples.Example::key)
				.contains("Practitioner/JoeSmith", "Organization/Hospital");
	}

	@Test
	void aValidNpiIsLeftAlone() {
		Practitioner practitioner = new Practitioner();
		practitioner.setId("valid-npi");
		practitioner.addIdentifier().setSystem(NpiNumbers.SYSTEM).setValue("1234567893");

		StorableExamples.Example result = NationalPackages.withPlaceholderNpisReplaced(
				List.of(new StorableExamples.Example("t", practitioner))).get(0);

		assertThat(result.note()).isNull();
		assertThat(practitioner.getIdentifierFirstRep().getValue()).isEqualTo("1234567893");
	}

	@Test
	void gravityFixturesCoverEveryGravityCaseOfIssue12() {
		List<String> cases = GravityExamplesContract.fixtures().stream()
				.map(e -> GravityExamplesContract.caseOf(e.resource()))
				.toList();
		assertThat(cases).contains(
				"ServiceRequest without authoredOn, requester or performer",
				"Consent without provision",
				"HealthcareService without providedBy",
				"referral Task without owner");
		GravityExamplesContract.PERSONAL_CHARACTERISTICS.values().forEach(characteristic ->
				assertThat(cases).contains("personal-characteristic Observation: " + characteristic));
	}

	@Test
	void gravityFixturesAreSelfContainedAndNamedTypeDashId() {
		List<StorableExamples.Example> fixtures = GravityExamplesContract.fixtures();
		Map<String, Set<String>> dangling = StorableExamples.danglingReferences(fixtures);
		assertThat(dangling).as(() -> StoredExamplesTestBase.describe(dangling)).isEmpty();
		assertThat(fixtures).allSatisfy(e -> assertThat(e.source())
				.isEqualTo(e.resource().fhirType() + "-" + e.resource().getIdElement().getIdPart() + ".json"));
	}
}
