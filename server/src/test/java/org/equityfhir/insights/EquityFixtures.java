package org.equityfhir.insights;

import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;

/** Builders for the equity tests' held-apart scenarios, posted as transaction Bundles. */
final class EquityFixtures {

	static final String BCP47 = "urn:ietf:bcp:47";
	static final String OMB = "urn:oid:2.16.840.1.113883.6.238";
	static final String PROFICIENCY = "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/communication-proficiency";
	static final String ILR = "http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/LanguageProficiencyCS";
	static final String US_CORE_RACE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";

	private final Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);

	/** Adds a create to the transaction; returns its urn:uuid for references within it. */
	String add(Resource resource) {
		String fullUrl = "urn:uuid:" + UUID.randomUUID();
		bundle.addEntry().setFullUrl(fullUrl).setResource(resource).getRequest().setMethod(Bundle.HTTPVerb.POST)
				.setUrl(resource.fhirType());
		return fullUrl;
	}

	Bundle bundle() {
		return bundle;
	}

	static Patient member(String family, String language, String race, Address home) {
		Patient patient = new Patient();
		patient.addName().setFamily(family).addGiven("Member");
		patient.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.UNKNOWN);
		patient.addCommunication().setPreferred(true).getLanguage().addCoding().setSystem(BCP47).setCode(language);
		if (race != null) {
			Extension ext = new Extension(US_CORE_RACE);
			ext.addExtension("ombCategory", new Coding(OMB, race, null));
			ext.addExtension("text", new StringType(race));
			patient.addExtension(ext);
		}
		if (home != null) {
			patient.addAddress(home);
		}
		return patient;
	}

	static Address home(String county, double lat, double lon) {
		Address address = new Address().setUse(Address.AddressUse.HOME).setCity("Testville").setDistrict(county).setState("MN")
				.setPostalCode("56999");
		address.addLine("1 Main St");
		Extension geo = new Extension(Places.GEOLOCATION);
		geo.addExtension("latitude", new DecimalType(lat));
		geo.addExtension("longitude", new DecimalType(lon));
		address.addExtension(geo);
		return address;
	}

	static Practitioner clinician(String family, String language, String ilr, boolean hidesLanguages) {
		Practitioner p = new Practitioner();
		p.addIdentifier().setSystem("urn:equity-test:insights").setValue(UUID.randomUUID().toString());
		p.addName().setFamily(family).addGiven("Dr");
		if (language != null) {
			CodeableConcept spoken = new CodeableConcept().addCoding(new Coding(BCP47, language, null));
			spoken.addExtension(new Extension(PROFICIENCY, new CodeableConcept().addCoding(new Coding(ILR, ilr, null))));
			p.addCommunication(spoken);
		}
		if (hidesLanguages) {
			Extension consent = new Extension("http://equityfhir.org/fhir/StructureDefinition/directory-display-consent");
			consent.addExtension("category", new CodeType("languages"));
			consent.addExtension("display", new BooleanType(false));
			p.addExtension(consent);
		}
		return p;
	}

	/** Adds a cultural competency (our code system) and an OMB race category to a clinician. */
	static Practitioner withCompetencyAndRace(Practitioner p, String competency, String race) {
		Extension c = new Extension("http://equityfhir.org/fhir/StructureDefinition/cultural-competency");
		c.addExtension("code", new CodeableConcept().addCoding(new Coding("http://equityfhir.org/fhir/CodeSystem/cultural-competency", competency, null)));
		p.addExtension(c);
		Extension r = new Extension(US_CORE_RACE);
		r.addExtension("ombCategory", new Coding(OMB, race, null));
		r.addExtension("text", new StringType(race));
		p.addExtension(r);
		return p;
	}

	static Location site(String name, String county, double lat, double lon) {
		Location site = new Location().setName(name).setStatus(Location.LocationStatus.ACTIVE);
		site.getPosition().setLatitude(lat).setLongitude(lon);
		site.setAddress(new Address().setCity("Testville").setDistrict(county).setState("MN").setPostalCode("56999")
				.setLine(List.of(new StringType("2 Clinic Rd"))));
		return site;
	}

	static PractitionerRole role(String practitioner, String location) {
		PractitionerRole role = new PractitionerRole().setActive(true).setPractitioner(new Reference(practitioner));
		role.addLocation(new Reference(location));
		return role;
	}
}
