package org.equityfhir.guidebuild;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.ContactDetail;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Enumerations.FHIRVersion;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.Narrative.NarrativeStatus;
import org.hl7.fhir.r4.model.StructureDefinition;

/**
 * What every conformance resource of our guide has in common, so that a resource file need not say it:
 * the guide's version, release date and publisher, and the values all our resources share. A value
 * written in the file always wins; only what is absent is filled.
 *
 * @param canonical base URL of our resources (the build refuses any other)
 */
public record GuideDefaults(String canonical, String version, String date, String publisher) {

	/** The parser and the model are R4's, so is every resource the build writes. */
	static final FHIRVersion FHIR_VERSION = FHIRVersion._4_0_1;
	static final String JURISDICTION_SYSTEM = "urn:iso:std:iso:3166";
	static final String JURISDICTION_CODE = "US";
	static final String JURISDICTION_DISPLAY = "United States of America";

	public GuideDefaults {
		Objects.requireNonNull(canonical, "canonical");
		Objects.requireNonNull(version, "version");
		Objects.requireNonNull(publisher, "publisher");
		// A day, not a build timestamp: the same sources always give the same package.
		if (date == null || !date.matches("\\d{4}-\\d{2}-\\d{2}")) {
			throw new IllegalArgumentException("The guide's date must be a day (YYYY-MM-DD), not '" + date + "'");
		}
	}

	/** Fills what the resource does not say. */
	public void complete(MetadataResource resource) {
		if (!resource.hasVersion()) {
			resource.setVersion(version);
		}
		if (!resource.hasStatus()) {
			resource.setStatus(PublicationStatus.ACTIVE);
		}
		if (!resource.hasExperimental()) {
			resource.setExperimental(false);
		}
		if (!resource.hasDate()) {
			resource.setDateElement(new DateTimeType(date));
		}
		if (!resource.hasPublisher()) {
			resource.setPublisher(publisher);
		}
		if (!resource.hasContact()) {
			resource.setContact(List.of(new ContactDetail().setName(publisher)));
		}
		if (!resource.hasJurisdiction()) {
			resource.setJurisdiction(List.of(jurisdiction()));
		}
		if (resource instanceof StructureDefinition sd && !sd.hasFhirVersion()) {
			sd.setFhirVersion(FHIR_VERSION);
		}
		if (resource instanceof CapabilityStatement cs && !cs.hasFhirVersion()) {
			cs.setFhirVersion(FHIR_VERSION);
		}
		if (resource instanceof CodeSystem cs && !cs.hasCount() && cs.getContent() == CodeSystem.CodeSystemContentMode.COMPLETE) {
			cs.setCount(Narratives.countConcepts(cs.getConcept()));
		}
		if (!resource.hasText() || !resource.getText().hasDiv()) {
			resource.getText().setStatus(NarrativeStatus.GENERATED).setDivAsString(Narratives.generate(resource));
		}
	}

	/**
	 * The elements a resource file states although {@link #complete} would give them anyway (with the
	 * same meaning). Our sources must carry none: a value typed into a file drifts from the build's.
	 * A version on one of our resources counts whatever its value, since ours follow the guide's.
	 */
	public List<String> redundantIn(MetadataResource source) {
		List<String> found = new ArrayList<>();
		if (source.hasVersion()) {
			found.add("version");
		}
		if (source.hasStatus() && source.getStatus() == PublicationStatus.ACTIVE) {
			found.add("status");
		}
		if (source.hasExperimental() && !source.getExperimental()) {
			found.add("experimental");
		}
		if (source.hasDate()) {
			found.add("date");
		}
		if (source.hasPublisher() && publisher.equals(source.getPublisher())) {
			found.add("publisher");
		}
		if (source.getContact().size() == 1 && publisher.equals(source.getContactFirstRep().getName())
				&& !source.getContactFirstRep().hasTelecom()) {
			found.add("contact");
		}
		if (source.getJurisdiction().size() == 1 && isUnitedStates(source.getJurisdiction().get(0))) {
			found.add("jurisdiction");
		}
		if ((source instanceof StructureDefinition sd && sd.getFhirVersion() == FHIR_VERSION)
				|| (source instanceof CapabilityStatement cs && cs.getFhirVersion() == FHIR_VERSION)) {
			found.add("fhirVersion");
		}
		if (source instanceof CodeSystem cs && cs.hasCount() && cs.getCount() == Narratives.countConcepts(cs.getConcept())) {
			found.add("count");
		}
		if (source.hasText() && source.getText().hasDiv()
				&& Narratives.addsNothingTo(source.getText().getDivAsString(), Narratives.generate(source))) {
			found.add("text");
		}
		return found;
	}

	private static CodeableConcept jurisdiction() {
		CodeableConcept us = new CodeableConcept();
		us.addCoding().setSystem(JURISDICTION_SYSTEM).setCode(JURISDICTION_CODE).setDisplay(JURISDICTION_DISPLAY);
		return us;
	}

	private static boolean isUnitedStates(CodeableConcept concept) {
		return !concept.hasText() && concept.getCoding().size() == 1
				&& JURISDICTION_SYSTEM.equals(concept.getCodingFirstRep().getSystem())
				&& JURISDICTION_CODE.equals(concept.getCodingFirstRep().getCode());
	}
}
