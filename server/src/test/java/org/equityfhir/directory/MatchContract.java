package org.equityfhir.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PractitionerRole/$match as member services use it: language concordance by proficiency, reasons, interpreter advice. */
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
abstract class MatchContract extends FhirServerTestBase {

	private static final String PROFICIENCY =
			"http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/communication-proficiency";
	private static final String COMPETENCY = "http://equityfhir.org/fhir/StructureDefinition/cultural-competency";

	// A spot of northern Minnesota (near Grand Marais) no other test seeds, so results are exactly ours
	// (a little apart per database and run, since both databases' servers may see reruns).
	private final double lat = 47.7500 + Math.random() / 10;
	private final double lon = -90.3340;
	private final String run = UUID.randomUUID().toString().substring(0, 8);
	private String nearRaw;
	private String near;
	private boolean seeded;

	@BeforeEach
	void seedOnce() {
		if (seeded) {
			return;
		}
		nearRaw = lat + "|" + lon + "|2|km";
		near = java.net.URLEncoder.encode(nearRaw, java.nio.charset.StandardCharsets.UTF_8);
		String org = create(new Organization().setName("North Shore Clinic " + run).setActive(true));
		Location site = new Location().setName("North Shore Clinic " + run);
		site.getPosition().setLatitude(lat).setLongitude(lon);
		String location = create(site);
		role(clinician("Professional " + run, "so", "30", "somali", false), org, location);
		role(clinician("Elementary " + run, "so", "10", null, false), org, location);
		role(clinician("Hidden " + run, "so", "50", "somali", true), org, location);
		seeded = true;
	}

	private String create(org.hl7.fhir.r4.model.Resource resource) {
		return client().create().resource(resource).execute().getId().toUnqualifiedVersionless().getValue();
	}

	private Practitioner clinician(String family, String language, String ilr, String competency, boolean hidesAll) {
		Practitioner p = new Practitioner();
		p.addIdentifier().setSystem("urn:equity-test:match").setValue(UUID.randomUUID().toString());
		p.addName().setFamily(family).addGiven("Dr");
		CodeableConcept spoken = new CodeableConcept().addCoding(new Coding("urn:ietf:bcp:47", language, null));
		spoken.addExtension(new Extension(PROFICIENCY, new CodeableConcept().addCoding(
				new Coding("http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/LanguageProficiencyCS", ilr, null))));
		p.addCommunication(spoken);
		if (competency != null) {
			Extension c = new Extension(COMPETENCY);
			c.addExtension("code", new CodeableConcept().addCoding(
					new Coding("http://equityfhir.org/fhir/CodeSystem/cultural-competency", competency, null)));
			p.addExtension(c);
		}
		if (hidesAll) {
			for (String category : List.of("languages", "cultural-competencies")) {
				Extension consent = new Extension("http://equityfhir.org/fhir/StructureDefinition/directory-display-consent");
				consent.addExtension("category", new CodeType(category));
				consent.addExtension("display", new BooleanType(false));
				p.addExtension(consent);
			}
		}
		return p;
	}

	private void role(Practitioner practitioner, String org, String location) {
		String id = create(practitioner);
		PractitionerRole role = new PractitionerRole().setPractitioner(new Reference(id)).setOrganization(new Reference(org));
		role.addLocation(new Reference(location));
		create(role);
	}

	private Bundle match(String query) {
		HttpResponse<String> response = get("PractitionerRole/$match?" + query);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return parse(Bundle.class, response.body());
	}

	private static List<Bundle.BundleEntryComponent> matches(Bundle bundle) {
		return bundle.getEntry().stream().filter(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH).toList();
	}

	private static String familyOf(Bundle bundle, Bundle.BundleEntryComponent match) {
		String ref = ((PractitionerRole) match.getResource()).getPractitioner().getReference();
		return bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
				.filter(r -> r instanceof Practitioner && ref.endsWith("Practitioner/" + r.getIdElement().getIdPart()))
				.map(r -> ((Practitioner) r).getNameFirstRep().getFamily()).findFirst().orElse("?");
	}

	@Test
	void aProfessionalSomaliSpeakerRanksAboveAnElementaryOneAndHiddenLanguagesNeverCount() {
		Bundle bundle = match("language=so&near=" + near);

		List<Bundle.BundleEntryComponent> matches = matches(bundle);
		assertThat(matches).extracting(m -> familyOf(bundle, m))
				.containsExactly("Professional " + run, "Elementary " + run);
		assertThat(matches.get(0).getSearch().getScore().doubleValue())
				.isGreaterThan(matches.get(1).getSearch().getScore().doubleValue()).isLessThanOrEqualTo(1.0);
		assertThat(matches.get(0).getSearch().getExtensionsByUrl(MatchOperation.REASON))
				.extracting(e -> e.getValue().primitiveValue())
				.anySatisfy(r -> assertThat(r).contains("Somali").contains("proficiency 30"))
				.anySatisfy(r -> assertThat(r).startsWith("distance"));
		assertThat(bundle.getEntry()).noneMatch(e -> e.getResource() instanceof OperationOutcome);
	}

	@Test
	void aCompetencyBelowTheOneAskedForCountsUnlessHidden() {
		Bundle bundle = match("cultural-competency=east-african&near=" + near);

		List<Bundle.BundleEntryComponent> matches = matches(bundle);
		assertThat(familyOf(bundle, matches.get(0))).isEqualTo("Professional " + run);
		assertThat(matches.get(0).getSearch().getExtensionsByUrl(MatchOperation.REASON))
				.anySatisfy(e -> assertThat(e.getValue().primitiveValue()).startsWith("cultural competency"));
		Bundle.BundleEntryComponent hidden = matches.stream()
				.filter(m -> familyOf(bundle, m).equals("Hidden " + run)).findFirst().orElseThrow();
		assertThat(hidden.getSearch().getExtensionsByUrl(MatchOperation.REASON))
				.noneSatisfy(e -> assertThat(e.getValue().primitiveValue()).startsWith("cultural competency"));
		assertThat(hidden.getSearch().getScore().doubleValue())
				.isLessThan(matches.get(0).getSearch().getScore().doubleValue());
	}

	@Test
	void thePatientsPreferredLanguageAndInterpreterNeedDriveTheMatch() {
		Patient member = new Patient();
		member.addName().setFamily("Member " + run);
		member.addCommunication().setPreferred(true).setLanguage(new CodeableConcept().addCoding(
				new Coding("urn:ietf:bcp:47", "bo", "Tibetan")));
		member.addExtension(new Extension(MatchOperation.INTERPRETER_REQUIRED, new BooleanType(true)));
		String patient = create(member);

		Bundle bundle = match("patient=" + patient + "&near=" + near);

		OperationOutcome advice = bundle.getEntry().stream()
				.filter(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.OUTCOME)
				.map(e -> (OperationOutcome) e.getResource()).findFirst().orElseThrow();
		assertThat(advice.getIssueFirstRep().getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.WARNING);
		assertThat(advice.getIssueFirstRep().getDiagnostics())
				.contains("Tibetan").contains("professional medical interpreter").contains("not a family member");
		assertThat(matches(bundle)).as("other clinicians within reach are still offered").hasSize(3);
	}

	@Test
	void postWithParametersAnswersTheSame() {
		org.hl7.fhir.r4.model.Parameters in = new org.hl7.fhir.r4.model.Parameters();
		in.addParameter("language", "so");
		in.addParameter("near", nearRaw);
		HttpResponse<String> response = post("PractitionerRole/$match", FHIR_JSON, json(in));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Bundle bundle = parse(Bundle.class, response.body());
		assertThat(matches(bundle)).extracting(m -> familyOf(bundle, m))
				.containsExactly("Professional " + run, "Elementary " + run);
	}

	@Test
	void badParametersAreExplained() {
		HttpResponse<String> noCriteria = get("PractitionerRole/$match");
		assertThat(noCriteria.statusCode()).isEqualTo(400);
		assertThat(parse(OperationOutcome.class, noCriteria.body()).getIssueFirstRep().getDiagnostics()).contains("Say what to match");
		HttpResponse<String> badNear = get("PractitionerRole/$match?language=so&near=north");
		assertThat(badNear.statusCode()).isEqualTo(400);
		HttpResponse<String> badCompetency = get("PractitionerRole/$match?cultural-competency=made-up");
		assertThat(badCompetency.statusCode()).isEqualTo(400);
	}
}
