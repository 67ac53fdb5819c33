package org.equityfhir.guide;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * SDOH Clinical Care (Gravity) data as the guide's published examples write it (issue 12, "Why"), stored
 * with its own ids in dependency order; every PUT must answer 200 or 201. The fixtures in
 * src/test/resources/national/gravity are our JSON translations of the FSH examples (see the README there).
 * Each test name says which issue-12 case the resource is, or that it is a reference target; that the
 * fixtures cover every case is checked in NationalExampleSupportTest.
 */
abstract class GravityExamplesContract extends StoredExamplesTestBase {

	static final String FIXTURES = "/national/gravity";
	private static final String TEMPORARY_CODES =
			"http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes";

	/** Personal-characteristic Observations by LOINC code, as Gravity's profiles fix them. */
	static final Map<String, String> PERSONAL_CHARACTERISTICS = Map.of(
			"72826-1", "race (OMB)",
			"69490-1", "ethnicity (OMB)",
			"76691-5", "gender identity",
			"90778-2", "personal pronouns",
			"99502-7", "recorded sex or gender",
			"76690-7", "sexual orientation");

	@TestFactory
	Stream<DynamicTest> gravityExamplesAreAccepted() {
		List<StorableExamples.Example> examples = fixtures().stream().map(e -> e.withNote(caseOf(e.resource()))).toList();
		return putEachInOrder(StorableExamples.inDependencyOrder(examples));
	}

	/** The issue-12 case a fixture stands for; anything else is there as a reference target. */
	static String caseOf(Resource resource) {
		if (resource instanceof ServiceRequest s && !s.hasAuthoredOn()) {
			return s.hasRequester() || s.hasPerformer()
					? "ServiceRequest without authoredOn"
					: "ServiceRequest without authoredOn, requester or performer";
		}
		if (resource instanceof Observation o && hasCoding(o.getCategory(), TEMPORARY_CODES, "personal-characteristic")) {
			return "personal-characteristic Observation: " + o.getCode().getCoding().stream()
					.filter(c -> "http://loinc.org".equals(c.getSystem()))
					.map(c -> PERSONAL_CHARACTERISTICS.getOrDefault(c.getCode(), c.getCode()))
					.findFirst().orElse("(no LOINC code)");
		}
		if (resource instanceof Consent c && !c.hasProvision()) {
			return "Consent without provision";
		}
		if (resource instanceof HealthcareService h && !h.hasProvidedBy()) {
			return "HealthcareService without providedBy";
		}
		if (resource instanceof Task t && !t.hasOwner()
				&& hasCoding(List.of(t.getCode()), "http://hl7.org/fhir/CodeSystem/task-code", "fulfill")) {
			return "referral Task without owner";
		}
		return "reference target";
	}

	private static boolean hasCoding(List<CodeableConcept> concepts, String system, String code) {
		return concepts.stream().flatMap(c -> c.getCoding().stream())
				.anyMatch(c -> system.equals(c.getSystem()) && code.equals(c.getCode()));
	}

	static List<StorableExamples.Example> fixtures() {
		try (Stream<Path> files = Files.list(Path.of(GravityExamplesContract.class.getResource(FIXTURES).toURI()))) {
			return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted()
					.map(f -> new StorableExamples.Example(f.getFileName().toString(), parse(f)))
					.toList();
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		} catch (URISyntaxException e) {
			throw new IllegalStateException(e);
		}
	}

	private static Resource parse(Path file) {
		try {
			return (Resource) FhirContext.forR4Cached().newJsonParser().parseResource(Files.readString(file));
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
