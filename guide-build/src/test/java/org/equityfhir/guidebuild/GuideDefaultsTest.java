package org.equityfhir.guidebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Enumerations.FHIRVersion;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.hl7.fhir.r4.model.Narrative.NarrativeStatus;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.Test;

class GuideDefaultsTest {

	private static final GuideDefaults DEFAULTS =
			new GuideDefaults("http://equityfhir.org/fhir", "1.2.3", "2026-11-25", "Equity FHIR Server project");

	private static StructureDefinition profile() {
		StructureDefinition sd = new StructureDefinition();
		sd.setId("equity-location");
		sd.setUrl("http://equityfhir.org/fhir/StructureDefinition/equity-location");
		sd.setName("EquityLocation");
		sd.setTitle("Equity Location");
		sd.setDescription("A place; position <must> be WGS84 & \"valid\".");
		return sd;
	}

	@Test
	void fillsWhatTheFileDoesNotSay() {
		StructureDefinition sd = profile();
		DEFAULTS.complete(sd);

		assertThat(sd.getVersion()).isEqualTo("1.2.3");
		assertThat(sd.getDateElement().getValueAsString()).isEqualTo("2026-11-25");
		assertThat(sd.getPublisher()).isEqualTo("Equity FHIR Server project");
		assertThat(sd.getContactFirstRep().getName()).isEqualTo("Equity FHIR Server project");
		assertThat(sd.getStatus()).isEqualTo(PublicationStatus.ACTIVE);
		assertThat(sd.getExperimental()).isFalse();
		assertThat(sd.getJurisdictionFirstRep().getCodingFirstRep().getCode()).isEqualTo("US");
		assertThat(sd.getFhirVersion()).isEqualTo(FHIRVersion._4_0_1);
		assertThat(sd.getText().getStatus()).isEqualTo(NarrativeStatus.GENERATED);
		assertThat(sd.getText().getDivAsString())
				.contains("<b>Equity Location</b>", "position &lt;must&gt; be WGS84 &amp; ");
	}

	@Test
	void neverOverridesWhatTheFileSays() {
		StructureDefinition sd = profile();
		sd.setStatus(PublicationStatus.DRAFT).setExperimental(true).setPublisher("Someone else");
		sd.getText().setStatus(NarrativeStatus.ADDITIONAL).setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\">Mine</div>");
		DEFAULTS.complete(sd);

		assertThat(sd.getStatus()).isEqualTo(PublicationStatus.DRAFT);
		assertThat(sd.getExperimental()).isTrue();
		assertThat(sd.getPublisher()).isEqualTo("Someone else");
		assertThat(sd.getText().getStatus()).isEqualTo(NarrativeStatus.ADDITIONAL);
		assertThat(sd.getText().getDivAsString()).contains("Mine").doesNotContain("Equity Location");
	}

	@Test
	void terminologyNarrativesListTheCodes() {
		CodeSystem cs = new CodeSystem();
		cs.setUrl("http://equityfhir.org/fhir/CodeSystem/competency").setTitle("Competency");
		cs.setContent(CodeSystem.CodeSystemContentMode.COMPLETE);
		cs.addConcept().setCode("community").setDisplay("Communities").addConcept().setCode("somali").setDisplay("Somali");
		DEFAULTS.complete(cs);
		assertThat(cs.getCount()).isEqualTo(2);
		assertThat(cs.getText().getDivAsString()).contains("<td>2</td><td>somali</td><td>Somali</td>");

		ValueSet vs = new ValueSet();
		vs.setUrl("http://equityfhir.org/fhir/ValueSet/answers").setName("Answers");
		vs.getCompose().addInclude().setSystem("http://loinc.org").addConcept().setCode("LA33-6").setDisplay("Yes");
		vs.getCompose().addInclude().setSystem("http://equityfhir.org/fhir/CodeSystem/competency");
		DEFAULTS.complete(vs);
		assertThat(vs.getText().getDivAsString())
				.contains("<td>http://loinc.org</td><td>LA33-6</td><td>Yes</td>")
				.contains("Includes all codes from http://equityfhir.org/fhir/CodeSystem/competency.");
	}

	@Test
	void findsCopiesOfWhatTheBuildFillsButNotDecisions() {
		StructureDefinition copy = profile();
		DEFAULTS.complete(copy);
		assertThat(DEFAULTS.redundantIn(copy)).containsExactlyInAnyOrder("version", "status", "experimental", "date",
				"publisher", "contact", "jurisdiction", "fhirVersion", "text");

		StructureDefinition decided = profile();
		decided.setStatus(PublicationStatus.RETIRED).setPublisher("HL7 International");
		// A narrative that only repeats the description (here with other markup) adds nothing.
		decided.getText().setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\">Equity Location: A place;"
				+ " position &lt;must&gt; be WGS84</div>");
		assertThat(DEFAULTS.redundantIn(decided)).containsExactly("text");

		decided.getText().setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\">Where services are.</div>");
		assertThat(DEFAULTS.redundantIn(decided)).isEmpty();
	}

	@Test
	void theDateIsADayNotATimestamp() {
		assertThatThrownBy(() -> new GuideDefaults("http://equityfhir.org/fhir", "1", "2026-11-25T10:00:00Z", "P"))
				.hasMessageContaining("YYYY-MM-DD");
	}
}
