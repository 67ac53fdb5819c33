package org.equityfhir.directory;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The directory's search parameters and the display opt-out: clinicians with and without opt-outs (one per
 * category), seeded once per run under a unique tag so other tests' Practitioners never disturb the counts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DirectoryContract extends FhirServerTestBase {

	private static final String BCP47 = "urn:ietf:bcp:47";
	private static final String PROFICIENCY_URL =
			"http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/communication-proficiency";
	private static final String PROFICIENCY_CS = "http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/LanguageProficiencyCS";
	private static final String COMPETENCY_CS = "http://equityfhir.org/fhir/CodeSystem/cultural-competency";
	private static final String CDC = "urn:oid:2.16.840.1.113883.6.238";
	private static final String TAG_SYSTEM = "urn:equity-test:directory";

	@Autowired
	private DaoRegistry daos;

	@Autowired
	private ca.uhn.fhir.batch2.api.IJobMaintenanceService jobMaintenance;

	private final String run = UUID.randomUUID().toString();
	private String tag;

	private String open;
	private String hidesLanguages;
	private String hidesCompetencies;
	private String hidesRace;
	private String farAway;
	private String roleOpen;
	private String roleHidesLanguages;
	private String roleHidesRace;
	private String roleFarAway;
	private String clinic;
	private String roleLocationFar;
	private String service;

	@BeforeAll
	void seed() {
		tag = TAG_SYSTEM + "|" + run;
		clinic = create(new Organization().setName("Directory Test Clinic " + run).setActive(true));
		org.hl7.fhir.r4.model.HealthcareService hs = new org.hl7.fhir.r4.model.HealthcareService()
				.setName("Family medicine " + run).setActive(true).setProvidedBy(new Reference(clinic));
		service = create(hs);
		String stPaul = create(location("Saint Paul clinic", 44.9537, -93.0900));
		String duluth = create(location("Duluth clinic", 46.7867, -92.1005));
		roleLocationFar = duluth;
		open = create(seededClinician("Open", "so", "30", "somali", true, null));
		hidesLanguages = create(seededClinician("HidesLanguages", "so", "50", "somali", true, "languages"));
		hidesCompetencies = create(seededClinician("HidesCompetencies", "so", "10", "oromo", false, "cultural-competencies"));
		hidesRace = create(seededClinician("HidesRace", "so", "20", "somali", true, "race-ethnicity"));
		farAway = create(seededClinician("FarAway", "so", "40", "hmong", false, null));
		roleOpen = create(role(open, clinic, stPaul));
		roleHidesLanguages = create(role(hidesLanguages, clinic, stPaul));
		roleHidesRace = create(role(hidesRace, clinic, stPaul));
		roleFarAway = create(role(farAway, clinic, duluth));
	}

	// ---------- search parameters ----------

	@Test
	void languageSearchNeverFindsAClinicianWhoHidesLanguages() {
		assertThat(ids("Practitioner?language=" + enc(BCP47 + "|so") + "&_tag=" + enc(tag)))
				.containsExactlyInAnyOrder(open, hidesCompetencies, hidesRace, farAway);
		assertThat(ids("Practitioner?communication=so&_tag=" + enc(tag)))
				.as("the core parameter name is no way round the opt-out")
				.containsExactlyInAnyOrder(open, hidesCompetencies, hidesRace, farAway);
	}

	@Test
	void countsNeverIncludeAHiddenAttribute() {
		assertThat(bundle("Practitioner?language=so&_summary=count&_tag=" + enc(tag)).getTotal()).isEqualTo(4);
		assertThat(bundle("Practitioner?language=so&_total=accurate&_tag=" + enc(tag)).getTotal()).isEqualTo(4);
		assertThat(bundle("Practitioner?race=" + enc(CDC + "|2054-5") + "&_summary=count&_tag=" + enc(tag)).getTotal())
				.isEqualTo(2);
		assertThat(bundle("Practitioner?cultural-competency=oromo&_summary=count&_tag=" + enc(tag)).getTotal())
				.as("the only oromo clinician hides competencies").isZero();
	}

	@Test
	void languageProficiencyFindsSomaliAtLevelThirtyOrAbove() {
		assertThat(ids("Practitioner?language-proficiency=" + enc("so$30,so$40,so$50") + "&_tag=" + enc(tag)))
				.as("hidesLanguages speaks Somali at 50 but hides languages")
				.containsExactlyInAnyOrder(open, farAway);
		assertThat(ids("Practitioner?language-proficiency=" + enc("so$10") + "&_tag=" + enc(tag)))
				.containsExactly(hidesCompetencies);
	}

	@Test
	void culturalCompetencyBelowFollowsTheCodeSystemHierarchy() {
		assertThat(ids("Practitioner?cultural-competency:below=" + enc(COMPETENCY_CS + "|east-african") + "&_tag=" + enc(tag)))
				.as("somali is below east-african; the oromo clinician hides competencies; hmong is south-east Asian")
				.containsExactlyInAnyOrder(open, hidesLanguages, hidesRace);
		assertThat(ids("Practitioner?cultural-competency=" + enc(COMPETENCY_CS + "|hmong") + "&_tag=" + enc(tag)))
				.containsExactly(farAway);
	}

	@Test
	void raceAndEthnicityNeverFindAClinicianWhoHidesThem() {
		assertThat(ids("Practitioner?race=" + enc(CDC + "|2054-5") + "&_tag=" + enc(tag)))
				.containsExactlyInAnyOrder(open, hidesLanguages);
		assertThat(ids("Practitioner?race=" + enc(CDC + "|2060-2") + "&_tag=" + enc(tag)))
				.as("detailed code (Ethiopian)").containsExactlyInAnyOrder(open, hidesLanguages);
		assertThat(ids("Practitioner?ethnicity=" + enc(CDC + "|2186-5") + "&_tag=" + enc(tag)))
				.containsExactlyInAnyOrder(open, hidesLanguages);
	}

	@Test
	void metadataAnnouncesTheDirectorySearchParameters() {
		var cs = parse(org.hl7.fhir.r4.model.CapabilityStatement.class, ok(get("metadata")));
		var practitioner = cs.getRestFirstRep().getResource().stream()
				.filter(r -> r.getType().equals("Practitioner")).findFirst().orElseThrow();
		assertThat(practitioner.getSearchParam()).extracting(p -> p.getName())
				.contains("language", "language-proficiency", "cultural-competency", "race", "ethnicity", "communication");
	}

	@Test
	void raceBelowAnOmbCategory() {
		HttpResponse<String> below = get("Practitioner?race:below=" + enc(CDC + "|2054-5") + "&_tag=" + enc(tag));
		assertThat(below.statusCode()).as(below.body()).isEqualTo(200);
		List<String> found = ids("Practitioner?race:below=" + enc(CDC + "|2054-5") + "&_tag=" + enc(tag));
		if (java.nio.file.Files.isDirectory(org.equityfhir.testsupport.DatabaseInitializers.OFFICIAL_PACKAGES)) {
			// US Core 3.1.1, installed from ../shared/fhir-packages, carries the CDC code system: :below works.
			assertThat(found).containsExactlyInAnyOrder(open, hidesLanguages);
		} else {
			// Without it HAPI knows no CDC hierarchy and :below matches nothing (documented); race= still works.
			assertThat(found).isEmpty();
			assertThat(ids("Practitioner?race=" + enc(CDC + "|2054-5") + "&_tag=" + enc(tag)))
					.containsExactlyInAnyOrder(open, hidesLanguages);
		}
	}

	@Test
	void somaliSpeakersNearSaintPaulThroughTheChain() {
		assertThat(ids("PractitionerRole?practitioner.language=so&location.near=" + enc("44.95|-93.09|10|km")
				+ "&_tag=" + enc(tag)))
				.containsExactlyInAnyOrder(roleOpen, roleHidesRace);
		assertThat(ids("PractitionerRole?practitioner.race=2054-5&_tag=" + enc(tag)))
				.as("hidesRace's role is not found by race").containsExactlyInAnyOrder(roleOpen, roleHidesLanguages);
		assertThat(ids("PractitionerRole?practitioner.cultural-competency:below=" + enc(COMPETENCY_CS + "|east-african")
				+ "&location.near=" + enc("44.95|-93.09|10|km") + "&_tag=" + enc(tag)))
				.containsExactlyInAnyOrder(roleOpen, roleHidesLanguages, roleHidesRace);
	}

	@Test
	void aSearchParameterAddedLaterIndexesPractitionersStoredBefore() throws InterruptedException {
		String family = "Reindex" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		String practitioner = create(clinician(family, "so", "30", "somali", false, null));
		String code = "zz-test-" + UUID.randomUUID().toString().substring(0, 8);
		org.hl7.fhir.r4.model.SearchParameter sp = new org.hl7.fhir.r4.model.SearchParameter();
		sp.setUrl("http://example.org/fhir/SearchParameter/" + code).setName("ReindexTest").setCode(code)
				.setStatus(org.hl7.fhir.r4.model.Enumerations.PublicationStatus.ACTIVE)
				.setType(org.hl7.fhir.r4.model.Enumerations.SearchParamType.STRING)
				.setExpression("Practitioner.name.family").setDescription("test");
		sp.addBase("Practitioner");
		// Search parameters are the operator's to add.
		HttpResponse<String> added = send(request("SearchParameter").header("Content-Type", FHIR_JSON)
				.header("Authorization", "Bearer " + tokenFor(org.equityfhir.testsupport.TestClients.ADMIN))
				.POST(java.net.http.HttpRequest.BodyPublishers.ofString(json(sp))));
		assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
		String spId = "SearchParameter/" + new IdType(added.headers().firstValue("Location").orElseThrow()).getIdPart();
		try {
			List<String> found = List.of();
			long deadline = System.currentTimeMillis() + 240_000;
			while (found.isEmpty() && System.currentTimeMillis() < deadline) {
				// Batch2 moves a job one gated step per maintenance pass (once a minute); hurry it along.
				jobMaintenance.forceMaintenancePass();
				Thread.sleep(1_000);
				HttpResponse<String> response = get("Practitioner?" + code + "=" + family);
				if (response.statusCode() == 200) {
					found = ids("Practitioner?" + code + "=" + family);
				}
			}
			assertThat(found).as("HAPI's reindex job indexed the Practitioner stored before the parameter")
					.containsExactly(practitioner);
		} finally {
			send(request(spId).header("Authorization", "Bearer " + tokenFor(org.equityfhir.testsupport.TestClients.ADMIN)).DELETE());
		}
	}

	@Test
	void specialtyAndIncludesAcrossTheDirectoryResources() {
		assertThat(ids("PractitionerRole?specialty=" + enc("http://nucc.org/provider-taxonomy|207Q00000X") + "&_tag=" + enc(tag)))
				.as("family medicine in Saint Paul").containsExactlyInAnyOrder(roleOpen, roleHidesLanguages, roleHidesRace);
		Bundle services = bundle("HealthcareService?_id=" + part(service) + "&_include=HealthcareService:organization"
				+ "&_revinclude=PractitionerRole:service");
		assertThat(services.getEntry()).extracting(e -> e.getResource().fhirType() + "/" + e.getResource().getIdElement().getIdPart())
				.containsExactlyInAnyOrder(service, clinic, roleOpen, roleHidesLanguages, roleHidesRace, roleFarAway);
		Bundle organization = bundle("Organization?_id=" + part(clinic) + "&_revinclude=PractitionerRole:organization"
				+ "&_revinclude=HealthcareService:organization&_include:iterate=PractitionerRole:practitioner");
		List<Practitioner> practitioners = organization.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
				.filter(Practitioner.class::isInstance).map(Practitioner.class::cast).toList();
		assertThat(practitioners).hasSize(4).allSatisfy(this::assertMaskedAsChosen);
		assertThat(organization.getEntry()).extracting(e -> e.getResource().fhirType())
				.contains("Organization", "HealthcareService", "PractitionerRole");
	}

	// ---------- what every representation shows ----------

	@Test
	void readVreadAndHistoryAreMasked() {
		Practitioner read = parse(Practitioner.class, ok(get(hidesLanguages)));
		assertMasked(read, "languages");
		assertThat(read.getExtensionsByUrl(DirectoryCategory.CULTURAL_COMPETENCY)).as("competencies displayed").hasSize(1);
		assertMasked(parse(Practitioner.class, ok(get(hidesLanguages + "/_history/1"))), "languages");
		Bundle history = bundle(hidesRace + "/_history");
		assertThat(history.getEntry()).isNotEmpty()
				.allSatisfy(e -> assertMasked((Practitioner) e.getResource(), "race-ethnicity"));
		Practitioner shown = parse(Practitioner.class, ok(get(open)));
		assertThat(shown.getCommunication()).hasSize(1);
		assertThat(shown.hasText()).isTrue();
		assertThat(shown.getMeta().getSecurity()).isEmpty();
	}

	@Test
	void xmlIsMaskedToo() {
		String xml = ok(send(request(hidesCompetencies + "?_format=xml").GET()));
		assertThat(xml).contains("<Practitioner").contains("REDACTED")
				.doesNotContain("oromo").doesNotContain("cultural-competency\"")
				.contains("urn:ietf:bcp:47");
		String search = ok(send(request("Practitioner?_tag=" + enc(tag) + "&_format=xml").GET()));
		assertThat(search).doesNotContain("oromo").doesNotContain("2054-5\"/><display value=\"Black or African American\"/></valueCoding></extension><extension url=\"text\"/>");
	}

	@Test
	void searchResultsAndIncludesAreMasked() {
		Bundle all = bundle("Practitioner?_tag=" + enc(tag));
		assertThat(all.getEntry()).hasSize(5);
		all.getEntry().forEach(e -> assertMaskedAsChosen((Practitioner) e.getResource()));

		Bundle included = bundle("PractitionerRole?_id=" + part(roleHidesLanguages) + "&_include=PractitionerRole:practitioner"
				+ "&_include=PractitionerRole:location&_include=PractitionerRole:organization");
		Bundle.BundleEntryComponent practitioner = included.getEntry().stream()
				.filter(e -> e.getResource() instanceof Practitioner).findFirst().orElseThrow();
		assertThat(practitioner.getSearch().getMode()).isEqualTo(Bundle.SearchEntryMode.INCLUDE);
		assertMasked((Practitioner) practitioner.getResource(), "languages");
		assertThat(included.getEntry()).extracting(e -> e.getResource().fhirType())
				.containsExactlyInAnyOrder("PractitionerRole", "Practitioner", "Location", "Organization");

		Bundle revincluded = bundle("Practitioner?_id=" + part(hidesRace) + "&_revinclude=PractitionerRole:practitioner");
		assertThat(revincluded.getEntry()).extracting(e -> e.getResource().fhirType())
				.containsExactlyInAnyOrder("Practitioner", "PractitionerRole");
		assertMasked((Practitioner) revincluded.getEntry().stream()
				.filter(e -> e.getResource() instanceof Practitioner).findFirst().orElseThrow().getResource(), "race-ethnicity");
	}

	@Test
	void elementsAndSummaryAreMasked() {
		Bundle elements = bundle("Practitioner?_id=" + part(hidesLanguages) + "&_elements=communication,extension,name");
		Practitioner p = (Practitioner) elements.getEntryFirstRep().getResource();
		assertThat(p.getCommunication()).isEmpty();
		assertThat(p.getExtensionsByUrl(DirectoryCategory.CULTURAL_COMPETENCY)).hasSize(1);
		Practitioner summary = parse(Practitioner.class, ok(get(hidesLanguages + "?_summary=true")));
		assertThat(summary.getCommunication()).isEmpty();
		String xml = ok(send(request(hidesLanguages + "?_elements=communication&_format=xml").GET()));
		assertThat(xml).doesNotContain("urn:ietf:bcp:47");
	}

	@Test
	void preferRepresentationBodiesAreMaskedButTheStoredRecordIsWhole() {
		Practitioner p = clinician("Prefer", "so", "30", "somali", true, "languages");
		HttpResponse<String> created = send(request("Practitioner")
				.header("Content-Type", FHIR_JSON).header("Prefer", "return=representation")
				.POST(HttpRequest.BodyPublishers.ofString(json(p))));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		Practitioner body = parse(Practitioner.class, created.body());
		assertMasked(body, "languages");
		String id = body.getIdElement().getIdPart();
		assertThat(stored(id).getCommunication()).as("stored whole").hasSize(1);
		assertThat(stored(id).getMeta().getSecurity()).as("the REDACTED label is never stored").isEmpty();

		Practitioner update = stored(id);
		update.addTelecom().setSystem(org.hl7.fhir.r4.model.ContactPoint.ContactPointSystem.PHONE).setValue("+1-651-555-0199");
		HttpResponse<String> updated = send(request("Practitioner/" + id)
				.header("Content-Type", FHIR_JSON).header("Prefer", "return=representation")
				.PUT(HttpRequest.BodyPublishers.ofString(json(update))));
		assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
		assertMasked(parse(Practitioner.class, updated.body()), "languages");
	}

	@Test
	void transactionAndBatchResponsesAreMasked() {
		Practitioner p = clinician("Transaction", "so", "30", "somali", true, "race-ethnicity");
		String id = "dir-" + UUID.randomUUID();
		p.setId(id);
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		tx.addEntry().setResource(p).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Practitioner/" + id);
		HttpResponse<String> response = send(request("")
				.header("Content-Type", FHIR_JSON).header("Prefer", "return=representation")
				.POST(HttpRequest.BodyPublishers.ofString(json(tx))));
		Bundle result = parse(Bundle.class, ok(response));
		assertMasked((Practitioner) result.getEntryFirstRep().getResource(), "race-ethnicity");
		assertThat(stored(id).getExtensionsByUrl(DirectoryCategory.US_CORE_RACE)).as(json(stored(id))).hasSize(1);

		Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
		batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl(hidesLanguages);
		batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Practitioner?_id=" + part(hidesCompetencies));
		Bundle batchResult = parse(Bundle.class, ok(post("", FHIR_JSON, json(batch))));
		assertMasked((Practitioner) batchResult.getEntry().get(0).getResource(), "languages");
		Bundle nested = (Bundle) batchResult.getEntry().get(1).getResource();
		assertMasked((Practitioner) nested.getEntryFirstRep().getResource(), "cultural-competencies");
	}

	@Test
	void patientEverythingMasksTheGeneralPractitioner() {
		Patient patient = new Patient();
		patient.addName().setFamily("Everything").addGiven(run);
		patient.addGeneralPractitioner(new Reference(hidesLanguages));
		String patientId = create(patient);
		Bundle everything = bundle(patientId + "/$everything");
		List<Practitioner> practitioners = everything.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
				.filter(Practitioner.class::isInstance).map(Practitioner.class::cast).toList();
		assertThat(practitioners).isNotEmpty().allSatisfy(p -> assertMasked(p, "languages"));
	}

	@Test
	void readModifyWriteKeepsHiddenValuesAndAConsentChangeActsOnTheNextRequest() {
		String id = create(clinician("RoundTrip", "so", "40", "somali", true, null));
		assertThat(ids("Practitioner?language=so&_id=" + part(id))).containsExactly(id);

		// The clinician hides languages: the very next read and search respect it.
		Practitioner full = stored(id);
		full.addExtension(consent("languages", false));
		ok(put(id, json(full), null));
		Practitioner masked = parse(Practitioner.class, ok(get(id)));
		assertMasked(masked, "languages");
		assertThat(ids("Practitioner?language=so&_id=" + part(id))).isEmpty();
		assertThat(bundle("Practitioner?language=so&_id=" + part(id) + "&_summary=count").getTotal()).isZero();
		assertThat(bundle(id + "/_history").getEntry()).as("the version from before the opt-out too").hasSize(2)
				.allSatisfy(e -> assertMasked((Practitioner) e.getResource(), "languages"));
		assertMasked(parse(Practitioner.class, ok(get(id + "/_history/1"))), "languages");

		// A client edits the masked copy and puts it back: the hidden languages are kept.
		masked.addTelecom().setSystem(org.hl7.fhir.r4.model.ContactPoint.ContactPointSystem.EMAIL).setValue("rt@example.org");
		ok(put(id, json(masked), null));
		Practitioner afterEdit = stored(id);
		assertThat(afterEdit.getCommunication()).extracting(c -> c.getCodingFirstRep().getCode()).containsExactly("so");
		assertThat(afterEdit.getTelecom()).extracting(t -> t.getValue()).contains("rt@example.org");
		assertThat(afterEdit.getMeta().getSecurity()).isEmpty();

		// Showing languages again through a masked copy brings them back, in reads and searches at once.
		Practitioner again = parse(Practitioner.class, ok(get(id)));
		again.getExtension().removeIf(e -> DirectoryCategory.DISPLAY_CONSENT.equals(e.getUrl()));
		again.addExtension(consent("languages", true));
		ok(put(id, json(again), null));
		assertThat(parse(Practitioner.class, ok(get(id))).getCommunication()).hasSize(1);
		assertThat(ids("Practitioner?language=so&_id=" + part(id))).containsExactly(id);
	}

	@Test
	void validatingAStoredClinicianQuotesNoHiddenValue() {
		String shown = ok(get(open + "/$validate"));
		String hidden = ok(get(hidesRace + "/$validate"));
		assertThat(shown).as("the findings for a clinician who hides nothing quote the CDC code").contains("2054-5");
		assertThat(hidden).doesNotContain("2054-5").doesNotContain("2060-2").doesNotContain("2186-5")
				.contains("withheld");
	}

	@Test
	void serverInternalCodeReadsTheWholeRecord() {
		Practitioner whole = stored(hidesLanguages);
		assertThat(whole.getCommunication()).hasSize(1);
		assertThat(whole.hasText()).isTrue();
		assertThat(whole.getMeta().getSecurity()).isEmpty();
	}

	// ---------- helpers ----------

	private void assertMasked(Practitioner p, String hiddenCategory) {
		assertThat(p.getMeta().getSecurity()).extracting(Coding::getCode).as("REDACTED label").contains("REDACTED");
		assertThat(p.hasText()).as("narrative dropped").isFalse();
		switch (hiddenCategory) {
			case "languages" -> assertThat(p.getCommunication()).isEmpty();
			case "cultural-competencies" -> assertThat(p.getExtensionsByUrl(DirectoryCategory.CULTURAL_COMPETENCY)).isEmpty();
			case "race-ethnicity" -> {
				assertThat(p.getExtensionsByUrl(DirectoryCategory.US_CORE_RACE)).isEmpty();
				assertThat(p.getExtensionsByUrl(DirectoryCategory.US_CORE_ETHNICITY)).isEmpty();
			}
			default -> throw new IllegalArgumentException(hiddenCategory);
		}
	}

	private void assertMaskedAsChosen(Practitioner p) {
		Set<DirectoryCategory> hidden = DirectoryCategory.hiddenOn(p);
		hidden.forEach(c -> assertMasked(p, c.code()));
		if (hidden.isEmpty()) {
			assertThat(p.getCommunication()).isNotEmpty();
			assertThat(p.getMeta().getSecurity()).isEmpty();
		}
	}

	private Practitioner stored(String id) {
		return (Practitioner) daos.getResourceDao("Practitioner")
				.read(new IdType(id.contains("/") ? id : "Practitioner/" + id), new SystemRequestDetails());
	}

	private Practitioner clinician(String family, String language, String level, String competency, boolean race, String hides) {
		Practitioner p = seededClinician(family, language, level, competency, race, hides);
		p.getMeta().getTag().clear();
		p.getMeta().addTag(TAG_SYSTEM, run + "-other", null);
		return p;
	}

	private Practitioner seededClinician(String family, String language, String level, String competency, boolean race, String hides) {
		Practitioner p = new Practitioner();
		p.getMeta().addTag(TAG_SYSTEM, run, null);
		p.addIdentifier().setSystem(TAG_SYSTEM).setValue(run + "-" + family);
		p.addName().setFamily(family).addGiven("Test");
		Narrative text = new Narrative().setStatus(Narrative.NarrativeStatus.GENERATED);
		text.setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\">" + family + " speaks Somali</div>");
		p.setText(text);
		var communication = p.addCommunication();
		communication.addCoding().setSystem(BCP47).setCode(language);
		communication.addExtension(PROFICIENCY_URL, new CodeableConcept(new Coding(PROFICIENCY_CS, level, null)));
		Extension cc = p.addExtension().setUrl(DirectoryCategory.CULTURAL_COMPETENCY);
		cc.addExtension("code", new CodeableConcept(new Coding(COMPETENCY_CS, competency, null)));
		if (race) {
			Extension r = p.addExtension().setUrl(DirectoryCategory.US_CORE_RACE);
			r.addExtension("ombCategory", new Coding(CDC, "2054-5", "Black or African American"));
			r.addExtension("detailed", new Coding(CDC, "2060-2", "African"));
			r.addExtension("text", new StringType("Black or African American"));
			Extension e = p.addExtension().setUrl(DirectoryCategory.US_CORE_ETHNICITY);
			e.addExtension("ombCategory", new Coding(CDC, "2186-5", "Not Hispanic or Latino"));
			e.addExtension("text", new StringType("Not Hispanic or Latino"));
		}
		if (hides != null) {
			p.addExtension(consent(hides, false));
		}
		return p;
	}

	private static Extension consent(String category, boolean display) {
		Extension consent = new Extension(DirectoryCategory.DISPLAY_CONSENT);
		consent.addExtension("category", new CodeType(category));
		consent.addExtension("display", new BooleanType(display));
		return consent;
	}

	private Location location(String name, double lat, double lon) {
		Location l = new Location().setName(name + " " + run).setStatus(Location.LocationStatus.ACTIVE);
		l.getPosition().setLatitude(lat).setLongitude(lon);
		return l;
	}

	private PractitionerRole role(String practitioner, String org, String location) {
		PractitionerRole r = new PractitionerRole().setActive(true);
		r.getMeta().addTag(TAG_SYSTEM, run, null);
		r.setPractitioner(new Reference(practitioner)).setOrganization(new Reference(org));
		r.addLocation(new Reference(location));
		r.addHealthcareService(new Reference(service));
		r.addSpecialty().addCoding().setSystem("http://nucc.org/provider-taxonomy").setCode(
				location.equals(roleLocationFar) ? "207V00000X" : "207Q00000X");
		return r;
	}

	private String create(Resource resource) {
		HttpResponse<String> response = post(resource.fhirType(), FHIR_JSON, json(resource));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		String location = response.headers().firstValue("Location").orElseThrow();
		IdType id = new IdType(location);
		return id.getResourceType() + "/" + id.getIdPart();
	}

	private List<String> ids(String query) {
		return bundle(query).getEntry().stream()
				.filter(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH)
				.map(e -> e.getResource().fhirType() + "/" + e.getResource().getIdElement().getIdPart())
				.collect(Collectors.toList());
	}

	private Bundle bundle(String query) {
		return parse(Bundle.class, ok(get(query)));
	}

	private static String ok(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isBetween(200, 201);
		return response.body();
	}

	private static String part(String typeAndId) {
		return typeAndId.substring(typeAndId.indexOf('/') + 1);
	}

	private static String enc(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}
}
