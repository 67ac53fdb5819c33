package org.equityfhir.directory;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.SearchParameter;
import org.junit.jupiter.api.Test;

/** The directory's search parameters as HAPI's indexer evaluates them, and as the package announces them. */
class DirectorySearchParametersTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	private static SearchParameter sp(String id) throws Exception {
		Path file = Path.of("..", "profiles", "src", "main", "fhir", "SearchParameter-" + id + ".json");
		return FHIR.newJsonParser().parseResource(SearchParameter.class, Files.readString(file));
	}

	private static Practitioner somali(Boolean displayLanguages) {
		Practitioner p = new Practitioner();
		var c = p.addCommunication();
		c.addCoding().setSystem("urn:ietf:bcp:47").setCode("so");
		c.addExtension("http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/communication-proficiency",
				new CodeableConcept(new Coding("http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/LanguageProficiencyCS", "30", null)));
		if (displayLanguages != null) {
			Extension consent = p.addExtension().setUrl(DirectoryCategory.DISPLAY_CONSENT);
			consent.addExtension("category", new CodeType("languages"));
			consent.addExtension("display", new BooleanType(displayLanguages));
		}
		return p;
	}

	private static final ca.uhn.fhir.jpa.searchparam.extractor.SearchParamExtractorR4 EXTRACTOR =
			new ca.uhn.fhir.jpa.searchparam.extractor.SearchParamExtractorR4(
					new ca.uhn.fhir.jpa.model.entity.StorageSettings(), new ca.uhn.fhir.jpa.model.config.PartitionSettings(), FHIR,
					new ca.uhn.fhir.rest.server.util.FhirContextSearchParamRegistry(FHIR));

	/** Evaluated as HAPI's indexer evaluates it. */
	private static List<? extends Object> eval(String id, Practitioner p) throws Exception {
		return EXTRACTOR.extractValues(sp(id).getExpression(), p);
	}

	/** Every search parameter of our guide is announced in the package's CapabilityStatement, under its base. */
	@Test
	void capabilityStatementListsEverySearchParameter() throws Exception {
		Path dir = Path.of("..", "profiles", "src", "main", "fhir");
		org.hl7.fhir.r4.model.CapabilityStatement cs = FHIR.newJsonParser().parseResource(
				org.hl7.fhir.r4.model.CapabilityStatement.class,
				Files.readString(dir.resolve("CapabilityStatement-equity-fhir-server.json")));
		try (var files = Files.list(dir)) {
			for (Path file : files.filter(f -> f.getFileName().toString().startsWith("SearchParameter-")).toList()) {
				SearchParameter sp = FHIR.newJsonParser().parseResource(SearchParameter.class, Files.readString(file));
				for (var base : sp.getBase()) {
					var resource = cs.getRestFirstRep().getResource().stream()
							.filter(r -> r.getType().equals(base.getValue())).findFirst();
					assertThat(resource).as(base.getValue() + " in the CapabilityStatement").isPresent();
					assertThat(resource.get().getSearchParam()).as(sp.getUrl())
							.anySatisfy(p -> {
								assertThat(p.getName()).isEqualTo(sp.getCode());
								assertThat(p.getDefinition()).isEqualTo(sp.getUrl());
								assertThat(p.getType().toCode()).isEqualTo(sp.getType().toCode());
							});
				}
			}
		}
	}

	@Test
	void languageExpressionsYieldNothingWhenLanguagesAreHidden() throws Exception {
		for (String id : List.of("practitioner-language", "practitioner-communication", "practitioner-language-proficiency")) {
			assertThat(eval(id, somali(null))).as(id + " absent means displayed").hasSize(1);
			assertThat(eval(id, somali(true))).as(id).hasSize(1);
			assertThat(eval(id, somali(false))).as(id + " hidden").isEmpty();
		}
		assertThat(eval("practitioner-language-proficiency", somali(null)).get(0).toString()).isEqualTo("so$30");
	}
}
