package org.equityfhir.guide;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.utilities.npm.NpmPackage;

/**
 * The published examples of the national guides, read from the official packages in
 * ../shared/fhir-packages (see its README). Where a package is absent, the calling test is skipped and
 * says so: the project must build and pass without them.
 */
final class NationalPackages {

	static final Path FOLDER = Path.of("..", "..", "shared", "fhir-packages").toAbsolutePath().normalize();
	static final String US_CORE_7 = "hl7.fhir.us.core-7.0.0.tgz";
	static final String PLAN_NET_11 = "hl7.fhir.us.davinci-pdex-plan-net-1.1.0.tgz";

	/**
	 * Definitions rather than data. None is in these packages' example folders today; should one appear,
	 * it describes the guide and is not what a client stores.
	 */
	private static final Set<String> CONFORMANCE_TYPES = Set.of(
			"CapabilityStatement", "CodeSystem", "CompartmentDefinition", "ConceptMap", "GraphDefinition",
			"ImplementationGuide", "MessageDefinition", "NamingSystem", "OperationDefinition", "SearchParameter",
			"StructureDefinition", "StructureMap", "TerminologyCapabilities", "ValueSet");

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	private NationalPackages() {}

	/**
	 * Every example a client could store, in the package's file order: searchset Bundles (a search
	 * answer, not something one PUTs) and conformance resources are left out.
	 */
	static List<StorableExamples.Example> storableExamples(String packageFile) {
		Path tgz = FOLDER.resolve(packageFile);
		assumeTrue(Files.isRegularFile(tgz),
				"Skipped: " + tgz + " is absent (the published HL7 packages are optional, see ../shared/fhir-packages/README.md)");
		List<StorableExamples.Example> examples = new ArrayList<>();
		try (InputStream in = Files.newInputStream(tgz)) {
			NpmPackage npm = NpmPackage.fromPackage(in);
			List<String> files = new ArrayList<>(npm.list("example"));
			files.sort(null);
			for (String file : files) {
				if (!file.endsWith(".json") || file.startsWith(".")) {
					continue;
				}
				try (InputStream resource = npm.load("example", file)) {
					Resource parsed = (Resource) FHIR.newJsonParser().parseResource(resource);
					if (isStorable(parsed)) {
						examples.add(new StorableExamples.Example(npm.name() + "#" + npm.version() + " example/" + file, parsed));
					}
				}
			}
		} catch (IOException e) {
			throw new UncheckedIOException("Cannot read " + tgz, e);
		}
		return examples;
	}

	static boolean isStorable(Resource resource) {
		if (resource instanceof Bundle bundle) {
			return bundle.getType() != Bundle.BundleType.SEARCHSET;
		}
		return !CONFORMANCE_TYPES.contains(resource.fhirType());
	}

	/**
	 * Plan-Net's examples carry placeholder NPIs ("NPI323", "NPI-ORGA"). Our guide refuses an NPI whose
	 * check digit is wrong (a documented data-quality rule), so each is replaced, in file order, with a
	 * generated valid NPI; valid NPIs are left alone. The example's note names what was replaced.
	 */
	static List<StorableExamples.Example> withPlaceholderNpisReplaced(List<StorableExamples.Example> examples) {
		int generated = 0;
		List<StorableExamples.Example> result = new ArrayList<>();
		for (StorableExamples.Example example : examples) {
			List<String> replaced = new ArrayList<>();
			for (Identifier identifier : FHIR.newTerser().getAllPopulatedChildElementsOfType(example.resource(), Identifier.class)) {
				if (NpiNumbers.SYSTEM.equals(identifier.getSystem()) && !NpiNumbers.isValid(identifier.getValue())) {
					String npi = NpiNumbers.generated(++generated);
					replaced.add(identifier.getValue() + " -> " + npi);
					identifier.setValue(npi);
				}
			}
			result.add(replaced.isEmpty() ? example : example.withNote("placeholder NPI " + String.join(", ", replaced)));
		}
		return result;
	}
}
