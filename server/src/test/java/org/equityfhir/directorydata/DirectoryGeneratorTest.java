package org.equityfhir.directorydata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.equityfhir.directorydata.GeneratedDirectory.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What bench/directory/DirectoryGenerator.java writes, without a server: realism, linkage, determinism. */
class DirectoryGeneratorTest {

	static final int CLINICIANS = 3000;
	static final List<String> BEHAVIORAL = List.of("2084P0800X", "363LP0808X", "103T00000X", "1041C0700X", "101YM0800X");

	@TempDir
	static Path tmp;

	static List<Resource> directory;
	static List<Practitioner> generated;
	static List<Practitioner> demo;
	static Map<String, Location> firstLocation = new HashMap<>();
	static Map<String, PractitionerRole> firstRole = new HashMap<>();

	@BeforeAll
	static void generate() {
		Run run = run("--out", tmp.resolve("a").toString(), "--clinicians", Integer.toString(CLINICIANS), "--seed", "11", "--demo");
		assertThat(run.exitCode()).as(run.output()).isZero();
		directory = written(tmp.resolve("a"));
		List<Practitioner> all = ofType(directory, Practitioner.class);
		generated = all.stream().filter(p -> !p.getIdPart().startsWith("demo-")).toList();
		demo = all.stream().filter(p -> p.getIdPart().startsWith("demo-")).toList();
		Map<String, Location> locations = ofType(directory, Location.class).stream()
				.collect(Collectors.toMap(Location::getIdPart, l -> l));
		for (PractitionerRole role : ofType(directory, PractitionerRole.class)) {
			String practitioner = role.getPractitioner().getReferenceElement().getIdPart();
			if (firstRole.putIfAbsent(practitioner, role) == null) {
				firstLocation.put(practitioner, locations.get(role.getLocationFirstRep().getReferenceElement().getIdPart()));
			}
		}
	}

	@Test
	void sameSeedGivesTheSameDirectoryAndAnotherSeedAnotherOne() throws IOException {
		Run again = run("--out", tmp.resolve("b").toString(), "--clinicians", Integer.toString(CLINICIANS), "--seed", "11", "--demo");
		Run other = run("--out", tmp.resolve("c").toString(), "--clinicians", Integer.toString(CLINICIANS), "--seed", "12", "--demo");
		assertThat(again.exitCode()).as(again.output()).isZero();
		assertThat(other.exitCode()).as(other.output()).isZero();
		assertThat(contents(tmp.resolve("b"))).isEqualTo(contents(tmp.resolve("a")));
		assertThat(contents(tmp.resolve("c"))).isNotEqualTo(contents(tmp.resolve("a")));
	}

	@Test
	void clinicianCountAndEveryNpiValidAndDistinct() {
		assertThat(generated).hasSize(CLINICIANS);
		List<String> npis = Stream.concat(
						ofType(directory, Practitioner.class).stream().map(GeneratedDirectory::npi),
						ofType(directory, Organization.class).stream().flatMap(o -> o.getIdentifier().stream())
								.filter(i -> NPI.equals(i.getSystem())).map(i -> i.getValue()))
				.toList();
		assertThat(npis).allMatch(GeneratedDirectory::validNpi, "passes the NPI check digit");
		assertThat(new HashSet<>(npis)).hasSameSizeAs(npis);
	}

	@Test
	void sharesAreRealistic() {
		assertThat(share(generated, GeneratedDirectory::optedOut)).isBetween(0.07, 0.14);
		assertThat(share(generated, GeneratedDirectory::sharesRace)).isBetween(0.62, 0.78);
		assertThat(share(generated, p -> !competencies(p).isEmpty())).isBetween(0.2, 0.7);
		Map<String, Long> speakers = generated.stream()
				.flatMap(p -> p.getCommunication().stream().map(c -> c.getCodingFirstRep().getCode()))
				.collect(Collectors.groupingBy(c -> c, Collectors.counting()));
		assertThat(speakers).containsKeys("es", "so", "hmn", "kar", "om", "vi", "ru", "am", "ase");
		String mostCommonOther = speakers.entrySet().stream().filter(e -> !e.getKey().equals("en"))
				.max(Map.Entry.comparingByValue()).orElseThrow().getKey();
		assertThat(mostCommonOther).as("Spanish is the most spoken language after English").isEqualTo("es");
		assertThat(generated).allSatisfy(p -> p.getCommunication().forEach(c ->
				assertThat(c.getExtensionByUrl(PROFICIENCY)).as("every language has a proficiency").isNotNull()));
	}

	@Test
	void communitiesAreWhereTheyLiveInMinnesota() {
		double hmongStPaul = share(in("St. Paul"), p -> proficiency(p, "hmn") != null);
		double hmongMinneapolis = share(in("Minneapolis"), p -> proficiency(p, "hmn") != null);
		double somaliMinneapolis = share(in("Minneapolis"), p -> proficiency(p, "so") != null);
		double somaliStPaul = share(in("St. Paul"), p -> proficiency(p, "so") != null);
		double somaliDuluth = share(in("Duluth"), p -> proficiency(p, "so") != null);
		assertThat(hmongStPaul).isGreaterThan(2 * hmongMinneapolis);
		assertThat(somaliMinneapolis).isGreaterThan(somaliStPaul).isGreaterThan(somaliDuluth);
		double karenWhereTheyLive = share(Stream.concat(in("St. Paul").stream(), in("Worthington").stream()).toList(),
				p -> proficiency(p, "kar") != null);
		double karenElsewhere = share(generated.stream().filter(p -> !Set.of("St. Paul", "Worthington")
				.contains(firstLocation.get(p.getIdPart()).getAddress().getCity())).toList(), p -> proficiency(p, "kar") != null);
		assertThat(karenWhereTheyLive).isGreaterThan(3 * karenElsewhere);
		assertThat(ofType(directory, Location.class)).allSatisfy(l -> {
			assertThat(l.getPosition().getLatitude().doubleValue()).isBetween(43.49, 49.39);
			assertThat(l.getPosition().getLongitude().doubleValue()).isBetween(-97.24, -89.49);
			assertThat(l.getAddress().getState()).isEqualTo("MN");
		});
	}

	@Test
	void everyReferenceResolvesWithinTheDirectory() {
		Set<String> ids = directory.stream().map(r -> r.fhirType() + "/" + r.getIdPart()).collect(Collectors.toSet());
		for (PractitionerRole role : ofType(directory, PractitionerRole.class)) {
			assertThat(ids).contains(role.getPractitioner().getReference(), role.getOrganization().getReference(),
					role.getLocationFirstRep().getReference(), role.getHealthcareServiceFirstRep().getReference());
			assertThat(role.getSpecialtyFirstRep().getCodingFirstRep().getSystem()).isEqualTo("http://nucc.org/provider-taxonomy");
		}
		assertThat(firstRole.keySet()).as("every clinician works somewhere")
				.containsAll(ofType(directory, Practitioner.class).stream().map(Practitioner::getIdPart).toList());
		for (Organization org : ofType(directory, Organization.class)) {
			if (org.hasPartOf()) {
				assertThat(ids).contains(org.getPartOf().getReference());
			}
		}
		assertThat(ofType(directory, Organization.class)).anyMatch(o -> o.getTypeFirstRep().getCodingFirstRep().getCode().equals("cg"));
	}

	@Test
	void servicesListOnlyLanguagesTheirCliniciansAllowToShow() {
		Map<String, Practitioner> byId = ofType(directory, Practitioner.class).stream()
				.collect(Collectors.toMap(Practitioner::getIdPart, p -> p));
		Map<String, Set<String>> shown = new HashMap<>();
		for (PractitionerRole role : ofType(directory, PractitionerRole.class)) {
			Practitioner p = byId.get(role.getPractitioner().getReferenceElement().getIdPart());
			Set<String> languages = shown.computeIfAbsent(role.getHealthcareServiceFirstRep().getReference(), k -> new HashSet<>(Set.of("en")));
			if (!hidden(p, "languages")) {
				p.getCommunication().forEach(c -> languages.add(c.getCodingFirstRep().getCode()));
			}
		}
		for (HealthcareService service : ofType(directory, HealthcareService.class)) {
			if (service.getIdPart().contains("-cbo-")) {
				continue;
			}
			Set<String> listed = service.getCommunication().stream().map(c -> c.getCodingFirstRep().getCode()).collect(Collectors.toSet());
			assertThat(shown.getOrDefault("HealthcareService/" + service.getIdPart(), Set.of("en")))
					.as(service.getIdPart()).containsAll(listed);
		}
	}

	@Test
	void smallDirectoriesGiveEveryClinicianAServiceToWorkIn() {
		// 20 clinicians get 8 clinics, too few for every kind of clinic to be drawn with every seed.
		for (String seed : List.of("1", "2", "3", "2026")) {
			Path out = tmp.resolve("small-" + seed);
			Run run = run("--out", out.toString(), "--clinicians", "20", "--seed", seed);
			assertThat(run.exitCode()).as("seed " + seed + ": " + run.output()).isZero();
			List<Resource> small = written(out);
			Set<String> ids = small.stream().map(r -> r.fhirType() + "/" + r.getIdPart()).collect(Collectors.toSet());
			assertThat(ofType(small, Practitioner.class)).hasSize(20);
			assertThat(ofType(small, PractitionerRole.class)).allSatisfy(role -> assertThat(ids)
					.contains(role.getHealthcareServiceFirstRep().getReference(), role.getLocationFirstRep().getReference()));
		}
	}

	@Test
	void theDemoSetHasTheCliniciansTheDocsPromise() {
		Predicate<Practitioner> nearStPaul = p -> {
			Location l = firstLocation.get(p.getIdPart());
			return km(44.95, -93.09, l.getPosition().getLatitude().doubleValue(), l.getPosition().getLongitude().doubleValue()) <= 10;
		};
		Predicate<Practitioner> familyPhysician = p -> firstRole.get(p.getIdPart()).getSpecialtyFirstRep().getCodingFirstRep().getCode().equals("207Q00000X");
		List<Practitioner> shownSomali = demo.stream().filter(nearStPaul).filter(familyPhysician)
				.filter(p -> proficiency(p, "so") != null && !hidden(p, "languages")).toList();
		assertThat(shownSomali).anyMatch(p -> proficiency(p, "so").compareTo("30") >= 0);
		assertThat(shownSomali).anyMatch(p -> proficiency(p, "so").equals("10"));
		assertThat(demo).anyMatch(p -> proficiency(p, "hmn") != null && competencies(p).contains("hmong"));
		assertThat(demo).anyMatch(p -> proficiency(p, "ase") != null
				&& BEHAVIORAL.contains(firstRole.get(p.getIdPart()).getSpecialtyFirstRep().getCodingFirstRep().getCode()));
		assertThat(demo).anyMatch(p -> proficiency(p, "so") != null && nearStPaul.test(p) && hidden(p, "languages"));
		assertThat(demo).anyMatch(p -> hidden(p, "race-ethnicity"));
		assertThat(demo).anyMatch(p -> hidden(p, "cultural-competencies"));
	}

	private static List<Practitioner> in(String city) {
		return generated.stream().filter(p -> city.equals(firstLocation.get(p.getIdPart()).getAddress().getCity())).toList();
	}

	private static double share(List<Practitioner> practitioners, Predicate<Practitioner> test) {
		assertThat(practitioners).isNotEmpty();
		return practitioners.stream().filter(test).count() / (double) practitioners.size();
	}

	private static Map<String, String> contents(Path dir) throws IOException {
		try (Stream<Path> files = Files.list(dir)) {
			Map<String, String> out = new HashMap<>();
			for (Path f : files.toList()) {
				out.put(f.getFileName().toString(), Files.readString(f));
			}
			return out;
		}
	}
}
