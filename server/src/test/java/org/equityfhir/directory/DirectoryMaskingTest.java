package org.equityfhir.directory;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import java.util.EnumSet;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.Practitioner;
import org.junit.jupiter.api.Test;

/** The masked copy and the read-modify-write restore, without a server. */
class DirectoryMaskingTest {

	private static final EnumSet<DirectoryCategory> NONE = EnumSet.noneOf(DirectoryCategory.class);

	private static Practitioner clinician(String category, Boolean display) {
		Practitioner p = new Practitioner();
		p.setId("Practitioner/p1/_history/2");
		p.addCommunication().addCoding().setSystem("urn:ietf:bcp:47").setCode("so");
		p.addExtension().setUrl(DirectoryCategory.US_CORE_RACE).addExtension("ombCategory",
				new Coding("urn:oid:2.16.840.1.113883.6.238", "2054-5", null));
		p.addExtension().setUrl(DirectoryCategory.CULTURAL_COMPETENCY).addExtension("code", new CodeType("somali"));
		Narrative text = new Narrative().setStatus(Narrative.NarrativeStatus.GENERATED);
		text.setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\">Speaks Somali</div>");
		p.setText(text);
		if (category != null) {
			Extension consent = p.addExtension().setUrl(DirectoryCategory.DISPLAY_CONSENT);
			consent.addExtension("category", new CodeType(category));
			consent.addExtension("display", new BooleanType(display));
		}
		return p;
	}

	@Test
	void absentOrDisplayTrueMeansDisplayed() {
		assertThat(DirectoryCategory.hiddenOn(clinician(null, null))).isEmpty();
		assertThat(DirectoryCategory.hiddenOn(clinician("race-ethnicity", true))).isEmpty();
		assertThat(DirectoryCategory.hiddenOn(clinician("race-ethnicity", false))).containsExactly(DirectoryCategory.RACE_ETHNICITY);
		assertThat(DirectoryMasking.maskedCopy(clinician(null, null), NONE)).isNull();
	}

	@Test
	void maskingWorksOnACopyAndKeepsHapisBundleFacts() {
		Practitioner stored = clinician("languages", false);
		ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(stored, BundleEntrySearchModeEnum.INCLUDE);
		Practitioner masked = DirectoryMasking.maskedCopy(stored, NONE);
		assertThat(masked.getCommunication()).isEmpty();
		assertThat(masked.hasText()).isFalse();
		assertThat(DirectoryMasking.isMarked(masked)).isTrue();
		assertThat(masked.getExtensionsByUrl(DirectoryCategory.US_CORE_RACE)).hasSize(1);
		assertThat(masked.getIdElement().getVersionIdPart()).isEqualTo("2");
		assertThat(ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.get(masked)).isEqualTo(BundleEntrySearchModeEnum.INCLUDE);
		assertThat(stored.getCommunication()).as("the stored object is untouched").hasSize(1);
		assertThat(stored.hasText()).isTrue();
		assertThat(DirectoryMasking.isMarked(stored)).isFalse();
	}

	@Test
	void theCurrentChoiceMasksAnOlderVersion() {
		Practitioner older = clinician(null, null);
		Practitioner masked = DirectoryMasking.maskedCopy(older, EnumSet.of(DirectoryCategory.CULTURAL_COMPETENCIES));
		assertThat(masked.getExtensionsByUrl(DirectoryCategory.CULTURAL_COMPETENCY)).isEmpty();
		assertThat(masked.getCommunication()).hasSize(1);
	}

	@Test
	void aMaskedCopyPutBackGetsTheHiddenValuesFromTheStoredVersion() {
		Practitioner stored = clinician("race-ethnicity", false);
		Practitioner incoming = DirectoryMasking.maskedCopy(stored, NONE);
		incoming.addTelecom().setValue("+1-651-555-0100");
		new MaskedCopyRestorer().updated(stored, incoming);
		assertThat(incoming.getExtensionsByUrl(DirectoryCategory.US_CORE_RACE)).hasSize(1);
		assertThat(incoming.hasText()).isTrue();
		assertThat(DirectoryMasking.isMarked(incoming)).as("the label is never stored").isFalse();
		assertThat(incoming.getTelecom()).hasSize(1);
	}

	@Test
	void anUnmarkedUpdateIsStoredAsSent() {
		Practitioner stored = clinician("race-ethnicity", false);
		Practitioner incoming = clinician("race-ethnicity", false);
		incoming.getExtension().removeIf(e -> e.getUrl().equals(DirectoryCategory.US_CORE_RACE));
		new MaskedCopyRestorer().updated(stored, incoming);
		assertThat(incoming.getExtensionsByUrl(DirectoryCategory.US_CORE_RACE))
				.as("internal code (attestation) may remove a hidden category").isEmpty();
	}
}
