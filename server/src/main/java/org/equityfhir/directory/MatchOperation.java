package org.equityfhir.directory;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.equityfhir.api.Outcomes;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;

/**
 * {@code PractitionerRole/$match}: clinicians for a member, best first. Candidates are the roles within
 * reach (near, specialty) found by the same searches any client may run, so the display opt-out applies
 * to them before anything is scored: an attribute a clinician hides can neither select nor rank them.
 *
 * <p>Score (0 to 1) is the share earned of what was asked: language concordance weighs 0.5, scaled by
 * Plan-Net proficiency (native 1.0 ... elementary 0.2), a requested cultural competency (or one below it in
 * our hierarchy) 0.3, nearness 0.2 (linear to the edge of the radius). Each earned part is a reason on the
 * entry.
 */
class MatchOperation {

	static final String REASON = "http://equityfhir.org/fhir/StructureDefinition/match-reason";
	static final String BCP47 = "urn:ietf:bcp:47";
	static final String NUCC = "http://nucc.org/provider-taxonomy";
	static final String PROFICIENCY_EXT = DirectoryCategory.PROFICIENCY;
	static final String INTERPRETER_REQUIRED = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired";
	private static final int CANDIDATES = 200;
	private static final int DEFAULT_COUNT = 10;
	private static final Map<String, Double> PROFICIENCY_WEIGHT =
			Map.of("50", 1.0, "40", 0.9, "30", 0.8, "20", 0.45, "10", 0.2, "00", 0.0);
	private static final Map<String, String> ILR = Map.of("00", "no proficiency", "10", "elementary", "20",
			"limited working", "30", "professional working", "40", "full professional", "50", "native or bilingual");

	private final FhirContext fhirContext;
	private final DaoRegistry daos;
	private final MatchUrlService matchUrls;
	private final CompetencyHierarchy competencies;

	MatchOperation(FhirContext fhirContext, DaoRegistry daos, MatchUrlService matchUrls, CompetencyHierarchy competencies) {
		this.fhirContext = fhirContext;
		this.daos = daos;
		this.matchUrls = matchUrls;
		this.competencies = competencies;
	}

	/** No side effects: GET with query parameters works as well as POST with a Parameters body. */
	@Operation(name = "$match", type = PractitionerRole.class, idempotent = true, bundleType = ca.uhn.fhir.model.valueset.BundleTypeEnum.SEARCHSET)
	public Bundle match(
			@OperationParam(name = "patient", max = 1) Reference patient,
			@OperationParam(name = "language", max = 1) StringType language,
			@OperationParam(name = "interpreter-needed", max = 1) BooleanType interpreterNeeded,
			@OperationParam(name = "cultural-competency", max = 1) StringType competency,
			@OperationParam(name = "specialty", max = 1) StringType specialty,
			@OperationParam(name = "near", max = 1) StringType near,
			@OperationParam(name = "count", max = 1) IntegerType count,
			RequestDetails request) {
		Request asked = Request.of(this, patient, language, interpreterNeeded, competency, specialty, near, count, request);
		if (asked.competency != null && !competencies.knows(asked.competency)) {
			throw invalid("cultural-competency: '" + asked.competency + "' is not a code of " + CompetencyHierarchy.SYSTEM);
		}
		List<Candidate> candidates = candidates(asked, asked.language != null, request);
		boolean concordant = asked.language != null && !candidates.isEmpty();
		if (asked.language != null && candidates.isEmpty()) {
			candidates = candidates(asked, false, request);
		}
		candidates.forEach(c -> c.score(asked, competencies));
		candidates.sort(Comparator.comparingDouble((Candidate c) -> -c.score)
				.thenComparingDouble(c -> c.distanceKm == null ? Double.MAX_VALUE : c.distanceKm)
				.thenComparing(c -> c.role.getIdElement().getIdPart()));

		Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
		List<Candidate> shown = candidates.subList(0, Math.min(asked.count, candidates.size()));
		bundle.setTotal(shown.size());
		for (Candidate c : shown) {
			Bundle.BundleEntryComponent entry = bundle.addEntry().setResource(c.role)
					.setFullUrl("PractitionerRole/" + c.role.getIdElement().getIdPart());
			entry.getSearch().setMode(Bundle.SearchEntryMode.MATCH).setScore(Math.round(c.score * 1000) / 1000.0);
			c.reasons.forEach(r -> entry.getSearch().addExtension(new Extension(REASON, new StringType(r))));
			if (c.practitioner != null) {
				bundle.addEntry().setResource(c.practitioner)
						.setFullUrl("Practitioner/" + c.practitioner.getIdElement().getIdPart())
						.getSearch().setMode(Bundle.SearchEntryMode.INCLUDE);
			}
		}
		if (asked.language != null && !concordant) {
			String where = asked.near == null ? "" : " within " + asked.near.radiusKm + " km";
			OperationOutcome advice = Outcomes.error(OperationOutcome.IssueType.NOTFOUND,
					"No clinician speaking " + displayLanguage(asked.language) + where + " was found. Offer the member a "
							+ "professional medical interpreter (not a family member or friend).");
			advice.getIssueFirstRep().setSeverity(asked.interpreterNeeded
					? OperationOutcome.IssueSeverity.WARNING : OperationOutcome.IssueSeverity.INFORMATION);
			bundle.addEntry().setResource(advice).getSearch().setMode(Bundle.SearchEntryMode.OUTCOME);
		}
		return bundle;
	}

	private List<Candidate> candidates(Request asked, boolean byLanguage, RequestDetails request) {
		StringBuilder url = new StringBuilder("PractitionerRole?_include=PractitionerRole:practitioner")
				.append("&_include=PractitionerRole:location&_count=").append(CANDIDATES);
		if (byLanguage) {
			url.append("&practitioner.language=").append(encode(BCP47 + "|" + asked.language));
		}
		if (asked.specialty != null) {
			url.append("&specialty=").append(encode(asked.specialty.contains("|") ? asked.specialty : NUCC + "|" + asked.specialty));
		}
		if (asked.near != null) {
			url.append("&location.near=").append(encode(asked.near.lat + "|" + asked.near.lon + "|" + asked.near.radiusKm + "|km"));
		}
		SearchParameterMap map = matchUrls.getResourceSearchWithIncludesAndRevIncludes(url.toString()).getSearchParameterMap();
		map.setLoadSynchronousUpTo(CANDIDATES * 3);
		IFhirResourceDao<PractitionerRole> dao = daos.getResourceDao(PractitionerRole.class);
		IBundleProvider found = dao.search(map, request);
		List<IBaseResource> resources = found.getResources(0, CANDIDATES * 3);
		Map<String, IBaseResource> byId = new HashMap<>();
		resources.forEach(r -> byId.put(r.getIdElement().toUnqualifiedVersionless().getValue(), r));
		List<Candidate> candidates = new ArrayList<>();
		for (IBaseResource r : resources) {
			if (r instanceof PractitionerRole role
					&& ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.get(role) != ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum.INCLUDE) {
				Practitioner practitioner = role.hasPractitioner()
						? (Practitioner) byId.get(role.getPractitioner().getReferenceElement().toUnqualifiedVersionless().getValue())
						: null;
				List<Location> locations = role.getLocation().stream()
						.map(ref -> byId.get(ref.getReferenceElement().toUnqualifiedVersionless().getValue()))
						.filter(Location.class::isInstance).map(Location.class::cast).toList();
				candidates.add(new Candidate(role, practitioner, locations, asked.near));
			}
		}
		return candidates;
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	static String displayLanguage(String tag) {
		if ("ase".equals(tag)) {
			return "American Sign Language";
		}
		String name = Locale.forLanguageTag(tag).getDisplayName(Locale.ENGLISH);
		return name.isBlank() || name.equals(tag) ? tag : name;
	}

	/** What the caller asked, from parameters or from the Patient. */
	record Request(String language, boolean interpreterNeeded, String competency, String specialty, Near near, int count) {

		static Request of(MatchOperation op, Reference patient, StringType language, BooleanType interpreterNeeded,
				StringType competency, StringType specialty, StringType near, IntegerType count, RequestDetails request) {
			String lang = language == null ? null : tag(language.getValue());
			Boolean interpreter = interpreterNeeded == null ? null : interpreterNeeded.getValue();
			if (patient != null && patient.hasReference()) {
				Patient member;
				try {
					member = op.daos.getResourceDao(Patient.class).read(patient.getReferenceElement(), request);
				} catch (ResourceNotFoundException e) {
					throw new InvalidRequestException("patient: " + patient.getReference() + " does not exist",
							Outcomes.error(OperationOutcome.IssueType.NOTFOUND, "patient: " + patient.getReference() + " does not exist"));
				}
				if (lang == null) {
					lang = preferredLanguage(member);
				}
				if (interpreter == null) {
					interpreter = member.getExtensionsByUrl(INTERPRETER_REQUIRED).stream()
							.anyMatch(e -> e.getValue() instanceof BooleanType b && Boolean.TRUE.equals(b.getValue()));
				}
			}
			if (lang == null && competency == null && specialty == null && near == null) {
				throw invalid("Say what to match: a patient, or at least one of language, cultural-competency, specialty, near");
			}
			int n = count == null || count.getValue() == null ? DEFAULT_COUNT : count.getValue();
			if (n < 1 || n > 100) {
				throw invalid("count must be between 1 and 100");
			}
			return new Request(lang, Boolean.TRUE.equals(interpreter),
					competency == null ? null : code(competency.getValue()), specialty == null ? null : specialty.getValue(),
					near == null ? null : Near.parse(near.getValue()), n);
		}

		private static String preferredLanguage(Patient member) {
			return member.getCommunication().stream()
					.sorted(Comparator.comparing((Patient.PatientCommunicationComponent c) -> !c.getPreferred()))
					.flatMap(c -> c.getLanguage().getCoding().stream())
					.filter(c -> c.getCode() != null)
					.map(Coding::getCode).findFirst().orElse(null);
		}

		private static String tag(String value) {
			if (value == null || value.isBlank()) {
				return null;
			}
			return value.startsWith(BCP47 + "|") ? value.substring(BCP47.length() + 1) : value;
		}

		private static String code(String value) {
			if (value == null || value.isBlank()) {
				return null;
			}
			int bar = value.indexOf('|');
			return bar < 0 ? value : value.substring(bar + 1);
		}
	}

	/** near = latitude|longitude|distance|unit, as Location's near search parameter takes it. */
	record Near(double lat, double lon, double radiusKm) {
		static Near parse(String value) {
			String[] parts = value == null ? new String[0] : value.split("\\|");
			if (parts.length < 2 || parts.length > 4) {
				throw invalid("near must be latitude|longitude|distance|unit, e.g. 44.95|-93.09|10|km");
			}
			try {
				double lat = Double.parseDouble(parts[0]);
				double lon = Double.parseDouble(parts[1]);
				double distance = parts.length > 2 && !parts[2].isBlank() ? Double.parseDouble(parts[2]) : 10;
				String unit = parts.length > 3 ? parts[3].toLowerCase(Locale.ROOT) : "km";
				double km = switch (unit) {
					case "km" -> distance;
					case "mi", "[mi_i]" -> distance * 1.609344;
					case "m" -> distance / 1000;
					default -> throw invalid("near: unit must be km, mi or m, not '" + parts[3] + "'");
				};
				if (Math.abs(lat) > 90 || Math.abs(lon) > 180 || km <= 0) {
					throw invalid("near: latitude -90..90, longitude -180..180 and a positive distance");
				}
				return new Near(lat, lon, km);
			} catch (NumberFormatException e) {
				throw invalid("near must be latitude|longitude|distance|unit with numbers, e.g. 44.95|-93.09|10|km");
			}
		}

		double kmTo(Location location) {
			if (!location.hasPosition()) {
				return Double.NaN;
			}
			double dLat = Math.toRadians(location.getPosition().getLatitude().doubleValue() - lat);
			double dLon = Math.toRadians(location.getPosition().getLongitude().doubleValue() - lon);
			double h = Math.pow(Math.sin(dLat / 2), 2) + Math.cos(Math.toRadians(lat))
					* Math.cos(Math.toRadians(location.getPosition().getLatitude().doubleValue())) * Math.pow(Math.sin(dLon / 2), 2);
			return 12742 * Math.asin(Math.sqrt(h));
		}
	}

	private static InvalidRequestException invalid(String message) {
		return new InvalidRequestException(message, Outcomes.error(OperationOutcome.IssueType.INVALID, message));
	}

	/** One role, what it earned and why. */
	static final class Candidate {
		final PractitionerRole role;
		final Practitioner practitioner;
		final Double distanceKm;
		double score;
		final List<String> reasons = new ArrayList<>();

		Candidate(PractitionerRole role, Practitioner practitioner, List<Location> locations, Near near) {
			this.role = role;
			this.practitioner = practitioner;
			this.distanceKm = near == null ? null : locations.stream().mapToDouble(near::kmTo)
					.filter(d -> !Double.isNaN(d)).min().stream().boxed().findFirst().orElse(null);
		}

		void score(Request asked, CompetencyHierarchy competencies) {
			// What the clinician hides never counts, whatever representation reached us.
			Set<DirectoryCategory> hidden = practitioner == null ? Set.of() : DirectoryCategory.hiddenOn(practitioner);
			double possible = 0;
			double earned = 0;
			if (asked.language() != null) {
				possible += 0.5;
				if (practitioner != null && !hidden.contains(DirectoryCategory.LANGUAGES)) {
					Map<String, String> levels = languages(practitioner);
					String level = levels.entrySet().stream()
							.filter(e -> e.getKey().equals(asked.language()) || e.getKey().startsWith(asked.language() + "-"))
							.map(Map.Entry::getValue).findFirst().orElse(null);
					if (level != null) {
						double weight = PROFICIENCY_WEIGHT.getOrDefault(level, 0.5);
						earned += 0.5 * weight;
						reasons.add("language-concordant: " + displayLanguage(asked.language())
								+ (level.isEmpty() ? "" : " at proficiency " + level + " (" + ILR.getOrDefault(level, level) + ")"));
					}
				}
			}
			if (asked.competency() != null) {
				possible += 0.3;
				if (practitioner != null && !hidden.contains(DirectoryCategory.CULTURAL_COMPETENCIES)) {
					java.util.Optional<String> held = competencies.codesOn(practitioner).stream()
							.filter(code -> competencies.isAtOrBelow(code, asked.competency()))
							.findFirst();
					if (held.isPresent()) {
						earned += 0.3;
						reasons.add("cultural competency: " + competencies.display(held.get()));
					}
				}
			}
			if (asked.near() != null) {
				possible += 0.2;
				if (distanceKm != null) {
					earned += 0.2 * Math.max(0, 1 - distanceKm / asked.near().radiusKm());
					reasons.add(String.format(Locale.ROOT, "distance %.1f km", distanceKm));
				}
			}
			if (asked.specialty() != null) {
				reasons.add("specialty " + asked.specialty());
			}
			score = possible == 0 ? 1.0 : Math.min(1.0, earned / possible);
		}

		private static Map<String, String> languages(Practitioner practitioner) {
			Map<String, String> levels = new LinkedHashMap<>();
			for (CodeableConcept spoken : practitioner.getCommunication()) {
				String level = spoken.getExtensionsByUrl(PROFICIENCY_EXT).stream()
						.map(Extension::getValue).filter(CodeableConcept.class::isInstance).map(CodeableConcept.class::cast)
						.flatMap(c -> c.getCoding().stream()).map(Coding::getCode).findFirst().orElse("");
				spoken.getCoding().stream().filter(c -> c.getCode() != null)
						.forEach(c -> levels.putIfAbsent(c.getCode(), level));
			}
			return levels;
		}
	}
}
