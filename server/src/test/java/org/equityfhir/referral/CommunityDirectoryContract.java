package org.equityfhir.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The community resource directory (issue 14): community organizations' services found by SDOH category,
 * service type, language, distance, eligibility and whether they accept referrals, with their organization
 * and location included. Seeded once per run under a unique tag, so other tests' services never count.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CommunityDirectoryContract extends FhirServerTestBase {

	static final String SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes";
	static final String CAPACITY_STATUS =
			"http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ExtensionHealthcareServiceCapacityStatus";
	private static final String SERVICE_TYPE = "http://equityfhir.org/fhir/CodeSystem/community-service-type";
	private static final String ELIGIBILITY = "http://equityfhir.org/fhir/CodeSystem/community-service-eligibility";
	private static final String BCP47 = "urn:ietf:bcp:47";
	private static final String TAG_SYSTEM = "urn:equity-test:community-directory";
	/** Saint Paul's centre, as in docs/directory.md. */
	private static final String NEAR_ST_PAUL = "44.95|-93.09|15|km";

	private final String run = UUID.randomUUID().toString();
	private String tag;

	private String midwayOrg;
	private String midwayLocation;
	private String midwayFoodShelf;
	private String midwaySnapHelp;
	private String duluthOrg;
	private String duluthHousing;
	private String worthingtonOrg;
	private String worthingtonFoodShelf;

	@BeforeAll
	void seed() throws InterruptedException {
		awaitCommunitySearchParameters();
		tag = "&_tag=" + enc(TAG_SYSTEM + "|" + run);

		midwayOrg = create(organization("Midway Community Food Shelf"));
		midwayLocation = create(location("Midway food shelf, Saint Paul", 44.9560, -93.1670, midwayOrg));
		midwayFoodShelf = create(service("Midway food shelf", midwayOrg, midwayLocation, "food-insecurity", "food-pantry",
				List.of("en", "so", "hmn"), "service-area-resident", "capacity"));
		midwaySnapHelp = create(service("SNAP application help", midwayOrg, midwayLocation, "food-insecurity",
				"benefits-enrollment", List.of("en", "es"), "low-income", "waitlist"));

		duluthOrg = create(organization("Duluth Housing Partners"));
		String duluthLocation = create(location("Duluth housing office", 46.7867, -92.1005, duluthOrg));
		duluthHousing = create(service("Housing navigation for older adults", duluthOrg, duluthLocation,
				"housing-instability", "housing-assistance", List.of("en", "oj"), "older-adult", "no-capacity"));

		worthingtonOrg = create(organization("Worthington Food Network"));
		String worthingtonLocation = create(location("Worthington food shelf", 43.6197, -95.5964, worthingtonOrg));
		worthingtonFoodShelf = create(service("Worthington food shelf", worthingtonOrg, worthingtonLocation,
				"food-insecurity", "food-pantry", List.of("en", "es", "kar"), "no-documentation-required", "capacity"));
	}

	@Test
	void bySdohCategory() {
		assertThat(ids("HealthcareService?service-category=" + enc(SDOHCC + "|food-insecurity") + tag))
				.containsExactlyInAnyOrder(midwayFoodShelf, midwaySnapHelp, worthingtonFoodShelf);
		assertThat(ids("HealthcareService?service-category=housing-instability" + tag)).containsExactly(duluthHousing);
	}

	@Test
	void byServiceType() {
		assertThat(ids("HealthcareService?service-type=" + enc(SERVICE_TYPE + "|food-pantry") + tag))
				.containsExactlyInAnyOrder(midwayFoodShelf, worthingtonFoodShelf);
		assertThat(ids("HealthcareService?service-type=" + enc(SERVICE_TYPE + "|benefits-enrollment") + tag))
				.containsExactly(midwaySnapHelp);
	}

	@Test
	void byLanguageOffered() {
		assertThat(ids("HealthcareService?language=" + enc(BCP47 + "|so") + tag)).containsExactly(midwayFoodShelf);
		assertThat(ids("HealthcareService?language=es" + tag)).containsExactlyInAnyOrder(midwaySnapHelp, worthingtonFoodShelf);
		assertThat(ids("HealthcareService?language=kar,hmn" + tag)).containsExactlyInAnyOrder(midwayFoodShelf, worthingtonFoodShelf);
	}

	@Test
	void byDistanceThroughTheLocation() {
		assertThat(ids("HealthcareService?service-category=food-insecurity&location.near=" + enc(NEAR_ST_PAUL) + tag))
				.as("Midway is about 6 km from Saint Paul's centre; Worthington about 250 km")
				.containsExactlyInAnyOrder(midwayFoodShelf, midwaySnapHelp);
		assertThat(ids("HealthcareService?location.near=" + enc("46.78|-92.10|20|km") + tag))
				.as("near Duluth").containsExactly(duluthHousing);
	}

	@Test
	void byEligibility() {
		assertThat(ids("HealthcareService?eligibility=" + enc(ELIGIBILITY + "|older-adult") + tag)).containsExactly(duluthHousing);
		assertThat(ids("HealthcareService?eligibility=no-documentation-required,low-income" + tag))
				.containsExactlyInAnyOrder(worthingtonFoodShelf, midwaySnapHelp);
		assertThat(ids("HealthcareService?eligibility:text=" + enc("Ramsey County") + tag))
				.as("the eligibility text is searchable too").containsExactly(midwayFoodShelf);
	}

	@Test
	void byAcceptingReferrals() {
		assertThat(ids("HealthcareService?capacity-status=" + enc(SDOHCC + "|capacity") + tag))
				.containsExactlyInAnyOrder(midwayFoodShelf, worthingtonFoodShelf);
		assertThat(ids("HealthcareService?capacity-status=waitlist,additional-assessment-required" + tag))
				.as("may take a referral onto a waitlist").containsExactly(midwaySnapHelp);
		assertThat(ids("HealthcareService?capacity-status=no-capacity" + tag)).containsExactly(duluthHousing);
	}

	@Test
	void anOrganizationUpdatesItsCapacityAndTheNextSearchSeesIt() {
		// Tagged apart from the seeded services, so that the other tests' counts hold whichever runs first.
		Organization shelter = organization("Duluth Emergency Shelter");
		shelter.getMeta().getTag().clear();
		shelter.getMeta().addTag(TAG_SYSTEM, run + "-other", null);
		HealthcareService beds = service("Emergency shelter beds", create(shelter), null, "homelessness",
				"emergency-shelter", List.of("en"), "open-to-all", "no-capacity");
		beds.getMeta().getTag().clear();
		beds.getMeta().addTag(TAG_SYSTEM, run + "-other", null);
		String service = create(beds);
		assertThat(ids("HealthcareService?capacity-status=capacity&_id=" + part(service))).isEmpty();

		HealthcareService stored = parse(HealthcareService.class, ok(get(service)));
		stored.getExtension().removeIf(e -> CAPACITY_STATUS.equals(e.getUrl()));
		stored.addExtension(capacity("capacity", "Three beds free tonight"));
		ok(put(service, json(stored), null));

		assertThat(ids("HealthcareService?capacity-status=capacity&_id=" + part(service))).containsExactly(service);
		assertThat(ids("HealthcareService?capacity-status=no-capacity&_id=" + part(service))).isEmpty();
	}

	@Test
	void combinedWithTheOrganizationAndLocationIncluded() {
		Bundle found = bundle("HealthcareService?service-category=" + enc(SDOHCC + "|food-insecurity")
				+ "&capacity-status=capacity&language=so&eligibility=service-area-resident&location.near=" + enc(NEAR_ST_PAUL)
				+ "&_include=HealthcareService:organization&_include=HealthcareService:location" + tag);
		assertThat(found.getEntry())
				.filteredOn(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH)
				.extracting(e -> typeAndId(e.getResource())).containsExactly(midwayFoodShelf);
		assertThat(found.getEntry())
				.filteredOn(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.INCLUDE)
				.extracting(e -> typeAndId(e.getResource())).containsExactlyInAnyOrder(midwayOrg, midwayLocation);
		Organization organization = found.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
				.filter(Organization.class::isInstance).map(Organization.class::cast).findFirst().orElseThrow();
		assertThat(organization.getTypeFirstRep().getCodingFirstRep().getCode()).isEqualTo("cg");
	}

	@Test
	void communityOrganizationsByWhatTheirServicesOffer() {
		assertThat(ids("Organization?type=cg&_has:HealthcareService:organization:capacity-status=capacity" + tag))
				.containsExactlyInAnyOrder(midwayOrg, worthingtonOrg);
		assertThat(ids("Organization?type=cg&_has:HealthcareService:organization:service-category=housing-instability" + tag))
				.containsExactly(duluthOrg);
	}

	@Test
	void metadataAnnouncesTheCommunitySearchParameters() {
		CapabilityStatement cs = parse(CapabilityStatement.class, ok(get("metadata")));
		var service = cs.getRestFirstRep().getResource().stream()
				.filter(r -> r.getType().equals("HealthcareService")).findFirst().orElseThrow();
		assertThat(service.getSearchParam()).extracting(p -> p.getName())
				.contains("language", "eligibility", "capacity-status");
	}

	// ---------- helpers ----------

	/**
	 * The guide's parameters are installed with the package before the server reports ready; this only makes
	 * sure the registry has them before anything is indexed (an unknown parameter is a 400).
	 */
	private void awaitCommunitySearchParameters() throws InterruptedException {
		long deadline = System.currentTimeMillis() + 120_000;
		HttpResponse<String> response = get("HealthcareService?eligibility=x&capacity-status=y&_summary=count");
		while (response.statusCode() != 200 && System.currentTimeMillis() < deadline) {
			Thread.sleep(1_000);
			response = get("HealthcareService?eligibility=x&capacity-status=y&_summary=count");
		}
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
	}

	private Organization organization(String name) {
		Organization o = new Organization().setName(name + " " + run).setActive(true);
		o.getMeta().addTag(TAG_SYSTEM, run, null);
		o.addType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/organization-type").setCode("cg")
				.setDisplay("Community Group");
		o.addAddress().setState("MN").setCountry("US");
		return o;
	}

	private Location location(String name, double lat, double lon, String organization) {
		Location l = new Location().setName(name + " " + run).setStatus(Location.LocationStatus.ACTIVE);
		l.getMeta().addTag(TAG_SYSTEM, run, null);
		l.getPosition().setLatitude(lat).setLongitude(lon);
		l.getAddress().setState("MN").setCountry("US");
		l.setManagingOrganization(new Reference(organization));
		return l;
	}

	private HealthcareService service(String name, String organization, String location, String category, String type,
			List<String> languages, String eligibility, String capacity) {
		HealthcareService s = new HealthcareService().setName(name + " " + run).setActive(true);
		s.getMeta().addTag(TAG_SYSTEM, run, null);
		s.setProvidedBy(new Reference(organization));
		if (location != null) {
			s.addLocation(new Reference(location));
		}
		s.addCategory().addCoding(new Coding(SDOHCC, category, null));
		s.addType().addCoding(new Coding(SERVICE_TYPE, type, null));
		languages.forEach(language -> s.addCommunication().addCoding(new Coding(BCP47, language, null)));
		CodeableConcept who = new CodeableConcept(new Coding(ELIGIBILITY, eligibility, null));
		if (eligibility.equals("service-area-resident")) {
			who.setText("Ramsey County residents");
		}
		s.addEligibility().setCode(who);
		s.addExtension(capacity(capacity, null));
		return s;
	}

	static Extension capacity(String code, String notes) {
		Extension extension = new Extension(CAPACITY_STATUS);
		extension.addExtension("capacityStatus", new CodeableConcept(new Coding(SDOHCC, code, null)));
		if (notes != null) {
			extension.addExtension("capacityNotes", new StringType(notes));
		}
		return extension;
	}

	private String create(Resource resource) {
		HttpResponse<String> response = post(resource.fhirType(), FHIR_JSON, json(resource));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		IdType id = new IdType(response.headers().firstValue("Location").orElseThrow());
		return id.getResourceType() + "/" + id.getIdPart();
	}

	private List<String> ids(String query) {
		return bundle(query).getEntry().stream()
				.filter(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH)
				.map(e -> typeAndId(e.getResource()))
				.toList();
	}

	private static String typeAndId(Resource resource) {
		return resource.fhirType() + "/" + resource.getIdElement().getIdPart();
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
