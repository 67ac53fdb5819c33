package org.equityfhir.insights;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.equityfhir.directory.CompetencyHierarchy;
import org.equityfhir.directory.DirectoryCategory;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;

/**
 * Network adequacy (Measure network-language-adequacy): for each language our members prefer, and then for
 * each cultural community, OMB race and ethnicity among them, how many members there are, how many
 * concordant clinicians, and how many members have none practising within the distance of home, per area.
 * Clinicians are counted whatever they chose to display (docs/equity.md); no clinician is ever named.
 */
final class NetworkAdequacy {

	static final String MEASURE = "http://equityfhir.org/fhir/Measure/network-language-adequacy";
	static final String MEMBERS = "members";
	static final String CLINICIANS = "clinicians";
	static final String WITHOUT_ACCESS = "members-without-access";
	static final List<String> POPULATIONS = List.of(MEMBERS, CLINICIANS, WITHOUT_ACCESS);
	static final String COMPETENCY_SYSTEM = "http://equityfhir.org/fhir/CodeSystem/cultural-competency";

	/**
	 * What the caller asked: ILR minimum, km, county or ZIP areas, members per clinician above which a gap is
	 * flagged, and the service area (areas as reported, e.g. "Ramsey County, MN"; empty: everywhere).
	 */
	record Question(String minProficiency, double distanceKm, boolean byZip, double membersPerClinician, Set<String> serviceArea) {

		boolean inArea(String area) {
			return serviceArea.isEmpty() || serviceArea.contains(area);
		}
	}

	/** A clinician as adequacy counts them: what they offer and where they practise. */
	record Clinician(Set<String> languages, List<String> competencies, List<String> races, String ethnicity,
			List<Places.Point> points, Set<String> areas) {}

	private final CompetencyHierarchy competencies;
	private final Map<String, List<String>> communitiesByLanguage;

	NetworkAdequacy(CompetencyHierarchy competencies, Map<String, List<String>> communitiesByLanguage) {
		this.competencies = competencies;
		this.communitiesByLanguage = communitiesByLanguage;
	}

	List<Tally> evaluate(Question question, List<Member> members, List<Practitioner> practitioners, List<PractitionerRole> roles,
			List<Location> locations) {
		Places places = new Places(locations);
		List<Clinician> clinicians = clinicians(question, practitioners, roles, locations, places);
		members = members.stream().filter(m -> question.inArea(places.area(m.home(), question.byZip()))).toList();
		List<Tally> groups = new ArrayList<>();
		Map<String, List<Member>> byLanguage = new TreeMap<>();
		members.stream().filter(m -> !Member.UNKNOWN.equals(m.language())).forEach(m -> byLanguage.computeIfAbsent(m.language(), l -> new ArrayList<>()).add(m));
		byLanguage.forEach((language, speakers) -> groups.add(group(question, places, "language-" + language,
				concept(Member.BCP47, language, languageName(language)), speakers, clinicians, c -> c.languages().contains(language))));

		Map<String, List<Member>> byCommunity = new TreeMap<>();
		members.forEach(m -> communitiesByLanguage.getOrDefault(m.language(), List.of())
				.forEach(c -> byCommunity.computeIfAbsent(c, x -> new ArrayList<>()).add(m)));
		byCommunity.forEach((community, people) -> groups.add(group(question, places, "competency-" + community,
				concept(COMPETENCY_SYSTEM, community, competencies.display(community)), people, clinicians,
				c -> c.competencies().stream().anyMatch(code -> competencies.isAtOrBelow(code, community)))));

		Map<String, List<Member>> byRace = new TreeMap<>();
		members.forEach(m -> m.races().forEach(r -> byRace.computeIfAbsent(r, x -> new ArrayList<>()).add(m)));
		byRace.forEach((race, people) -> groups.add(group(question, places, "race-" + race,
				concept(Member.OMB, race, Member.OMB_DISPLAY.getOrDefault(race, race)), people, clinicians, c -> c.races().contains(race))));

		Map<String, List<Member>> byEthnicity = new TreeMap<>();
		members.stream().filter(m -> !Member.UNKNOWN.equals(m.ethnicity()))
				.forEach(m -> byEthnicity.computeIfAbsent(m.ethnicity(), x -> new ArrayList<>()).add(m));
		byEthnicity.forEach((ethnicity, people) -> groups.add(group(question, places, "ethnicity-" + ethnicity,
				concept(Member.OMB, ethnicity, Member.OMB_DISPLAY.getOrDefault(ethnicity, ethnicity)), people, clinicians,
				c -> ethnicity.equals(c.ethnicity()))));
		return groups;
	}

	private Tally group(Question question, Places places, String id, CodeableConcept code, List<Member> people,
			List<Clinician> all, Predicate<Clinician> concordant) {
		Tally tally = new Tally(id, code, POPULATIONS).subset(WITHOUT_ACCESS, MEMBERS);
		String stratifier = question.byZip() ? "zip" : "county";
		tally.declareStratifier(stratifier);
		tally.score = counts -> counts.get(MEMBERS) == 0 ? null : Math.round(counts.get(CLINICIANS) * 1_000_000.0 / counts.get(MEMBERS)) / 1000.0;
		tally.scoreFrom = List.of(MEMBERS, CLINICIANS);
		tally.flag = counts -> counts.get(MEMBERS) > 0 && counts.get(MEMBERS) > counts.get(CLINICIANS) * question.membersPerClinician();
		tally.flagFrom = List.of(MEMBERS, CLINICIANS);
		List<Clinician> offering = all.stream().filter(concordant).toList();
		List<Places.Point> reachable = offering.stream().flatMap(c -> c.points().stream()).toList();
		Map<Places.Point, Boolean> withinReach = new HashMap<>();
		for (Member member : people) {
			String area = places.area(member.home(), question.byZip());
			Tally.Cell cell = tally.stratum(stratifier, area, NetworkAdequacy::areaConcept);
			tally.total.add(MEMBERS, 1);
			cell.add(MEMBERS, 1);
			Places.Point home = places.point(member.home());
			if (home != null && !withinReach.computeIfAbsent(home, h -> reachable.stream().anyMatch(p -> h.kmTo(p) <= question.distanceKm()))) {
				tally.total.add(WITHOUT_ACCESS, 1);
				cell.add(WITHOUT_ACCESS, 1);
			}
		}
		for (Clinician clinician : offering) {
			List<String> areas = clinician.areas().stream().filter(question::inArea).toList();
			if (areas.isEmpty() && !question.serviceArea().isEmpty()) {
				continue;
			}
			tally.total.add(CLINICIANS, 1);
			areas.forEach(area -> tally.stratum(stratifier, area, NetworkAdequacy::areaConcept).add(CLINICIANS, 1));
		}
		return tally;
	}

	private List<Clinician> clinicians(Question question, List<Practitioner> practitioners, List<PractitionerRole> roles,
			List<Location> locations, Places places) {
		Map<String, Location> locationById = new HashMap<>();
		locations.forEach(l -> locationById.put(l.getIdElement().toUnqualifiedVersionless().getValue(), l));
		Map<String, List<Location>> practising = new HashMap<>();
		for (PractitionerRole role : roles) {
			if (!role.hasPractitioner() || role.hasActive() && !role.getActive()) {
				continue;
			}
			for (Reference ref : role.getLocation()) {
				Location location = locationById.get(ref.getReferenceElement().toUnqualifiedVersionless().getValue());
				if (location != null) {
					practising.computeIfAbsent(role.getPractitioner().getReferenceElement().toUnqualifiedVersionless().getValue(),
							p -> new ArrayList<>()).add(location);
				}
			}
		}
		int minimum = ilr(question.minProficiency());
		List<Clinician> clinicians = new ArrayList<>();
		for (Practitioner practitioner : practitioners) {
			Set<String> languages = new HashSet<>();
			for (var spoken : practitioner.getCommunication()) {
				String level = spoken.getExtensionsByUrl(DirectoryCategory.PROFICIENCY).stream()
						.filter(e -> e.getValue() instanceof CodeableConcept).flatMap(e -> ((CodeableConcept) e.getValue()).getCoding().stream())
						.map(Coding::getCode).findFirst().orElse(null);
				if (level != null && ilr(level) >= minimum) {
					spoken.getCoding().stream().filter(Coding::hasCode).forEach(c -> languages.add(c.getCode().toLowerCase(Locale.ROOT)));
				}
			}
			List<Location> where = practising.getOrDefault(practitioner.getIdElement().toUnqualifiedVersionless().getValue(), List.of());
			Set<String> areas = new LinkedHashSet<>();
			List<Places.Point> points = new ArrayList<>();
			for (Location location : where) {
				areas.add(places.area(location.getAddress(), question.byZip()));
				Places.Point point = places.point(location);
				if (point != null) {
					points.add(point);
				}
			}
			clinicians.add(new Clinician(languages, competencies.codesOn(practitioner), omb(practitioner, DirectoryCategory.US_CORE_RACE),
					omb(practitioner, DirectoryCategory.US_CORE_ETHNICITY).stream().findFirst().orElse(null), points, areas));
		}
		return clinicians;
	}

	private static List<String> omb(Practitioner practitioner, String url) {
		Extension extension = practitioner.getExtensionByUrl(url);
		return extension == null ? List.of() : extension.getExtensionsByUrl("ombCategory").stream()
				.filter(e -> e.getValue() instanceof Coding).map(e -> ((Coding) e.getValue()).getCode()).distinct().toList();
	}

	/** Plan-Net's ILR proficiency codes ("00" to "50") as numbers; anything else counts as none. */
	static int ilr(String code) {
		try {
			return Integer.parseInt(code);
		} catch (NumberFormatException | NullPointerException e) {
			return -1;
		}
	}

	static CodeableConcept concept(String system, String code, String display) {
		return new CodeableConcept().addCoding(new Coding(system, code, display)).setText(display);
	}

	static CodeableConcept areaConcept(String area) {
		return new CodeableConcept().setText(area);
	}

	static String languageName(String code) {
		if (Member.UNKNOWN.equals(code)) {
			return "Unknown";
		}
		String name = Locale.forLanguageTag(code).getDisplayLanguage(Locale.ENGLISH);
		return name == null || name.isBlank() || name.equalsIgnoreCase(code) ? code : name;
	}
}
