package org.equityfhir.directorydata;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Resource;

/**
 * Runs bench/directory/DirectoryGenerator.java as its users do (`java DirectoryGenerator.java ...`, the
 * JDK alone), and reads the Bundles it writes.
 */
final class GeneratedDirectory {

	static final Path GENERATOR = Path.of("..", "bench", "directory", "DirectoryGenerator.java").toAbsolutePath().normalize();
	static final Path PLACES = GENERATOR.resolveSibling("mn-places.csv");
	static final String NPI = "http://hl7.org/fhir/sid/us-npi";
	static final String CONSENT = "http://equityfhir.org/fhir/StructureDefinition/directory-display-consent";
	static final String PROFICIENCY =
			"http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/communication-proficiency";
	static final String COMPETENCY = "http://equityfhir.org/fhir/StructureDefinition/cultural-competency";
	static final String RACE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";

	record Run(int exitCode, String output) {}

	private GeneratedDirectory() {}

	static Run run(String... args) {
		List<String> command = new ArrayList<>(List.of(
				Path.of(System.getProperty("java.home"), "bin", "java").toString(), GENERATOR.toString(),
				"--places", PLACES.toString()));
		command.addAll(List.of(args));
		try {
			Path log = Files.createTempFile("directory-generator", ".log");
			Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
			if (!process.waitFor(15, TimeUnit.MINUTES)) {
				process.destroyForcibly();
				throw new IllegalStateException("the generator did not finish in 15 minutes: " + Files.readString(log));
			}
			Run run = new Run(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
			Files.delete(log);
			return run;
		} catch (IOException e) {
			throw new IllegalStateException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	/** Every resource of the Bundles the generator wrote to a folder, in loading order. */
	static List<Resource> written(Path dir) {
		FhirContext fhir = FhirContext.forR4Cached();
		List<Resource> resources = new ArrayList<>();
		try (Stream<Path> files = Files.list(dir)) {
			for (Path file : files.sorted().toList()) {
				Bundle bundle = fhir.newJsonParser().parseResource(Bundle.class, Files.readString(file));
				bundle.getEntry().forEach(e -> resources.add(e.getResource()));
			}
		} catch (IOException e) {
			throw new IllegalStateException(e);
		}
		return resources;
	}

	static <T extends Resource> List<T> ofType(List<Resource> resources, Class<T> type) {
		return resources.stream().filter(type::isInstance).map(type::cast).toList();
	}

	static String npi(Practitioner p) {
		return p.getIdentifier().stream().filter(i -> NPI.equals(i.getSystem())).findFirst().orElseThrow().getValue();
	}

	/** The NPI standard's check: Luhn over the issuer prefix 80840 and all ten digits. */
	static boolean validNpi(String npi) {
		if (npi == null || !npi.matches("\\d{10}")) {
			return false;
		}
		String digits = "80840" + npi;
		int sum = 0;
		for (int i = 0; i < digits.length(); i++) {
			int d = digits.charAt(digits.length() - 1 - i) - '0';
			if (i % 2 == 1) {
				d *= 2;
				if (d > 9) {
					d -= 9;
				}
			}
			sum += d;
		}
		return sum % 10 == 0;
	}

	/** The language's Plan-Net proficiency code, or null when the clinician does not list the language. */
	static String proficiency(Practitioner p, String language) {
		return p.getCommunication().stream()
				.filter(c -> c.getCoding().stream().anyMatch(x -> x.getCode().equals(language)))
				.map(c -> ((org.hl7.fhir.r4.model.CodeableConcept) c.getExtensionByUrl(PROFICIENCY).getValue()).getCodingFirstRep().getCode())
				.findFirst().orElse(null);
	}

	static boolean hidden(Practitioner p, String category) {
		return p.getExtensionsByUrl(CONSENT).stream().anyMatch(e -> category.equals(
						e.getExtensionByUrl("category").getValue().primitiveValue())
				&& "false".equals(e.getExtensionByUrl("display").getValue().primitiveValue()));
	}

	static boolean optedOut(Practitioner p) {
		return Stream.of("languages", "cultural-competencies", "race-ethnicity").anyMatch(c -> hidden(p, c));
	}

	static List<String> competencies(Practitioner p) {
		return p.getExtensionsByUrl(COMPETENCY).stream()
				.map(e -> ((org.hl7.fhir.r4.model.CodeableConcept) e.getExtensionByUrl("code").getValue()).getCodingFirstRep().getCode())
				.toList();
	}

	static boolean sharesRace(Practitioner p) {
		List<Extension> race = p.getExtensionsByUrl(RACE);
		return !race.isEmpty();
	}

	/** Great-circle distance in kilometres. */
	static double km(double lat1, double lon1, double lat2, double lon2) {
		double dLat = Math.toRadians(lat2 - lat1);
		double dLon = Math.toRadians(lon2 - lon1);
		double a = Math.pow(Math.sin(dLat / 2), 2)
				+ Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.pow(Math.sin(dLon / 2), 2);
		return 6371 * 2 * Math.asin(Math.sqrt(a));
	}
}
