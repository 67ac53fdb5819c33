package org.equityfhir.referral;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.entity.StorageSettings;
import ca.uhn.fhir.jpa.searchparam.extractor.SearchParamExtractorR4;
import ca.uhn.fhir.rest.server.util.FhirContextSearchParamRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.SearchParameter;
import org.junit.jupiter.api.Test;

/** The community directory's search parameters as HAPI's indexer evaluates them. */
class CommunitySearchParametersTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();
	private static final SearchParamExtractorR4 EXTRACTOR = new SearchParamExtractorR4(
			new StorageSettings(), new PartitionSettings(), FHIR, new FhirContextSearchParamRegistry(FHIR));

	private static List<?> eval(String id, HealthcareService service) throws Exception {
		Path file = Path.of("..", "profiles", "src", "main", "fhir", "SearchParameter-" + id + ".json");
		SearchParameter sp = FHIR.newJsonParser().parseResource(SearchParameter.class, Files.readString(file));
		return EXTRACTOR.extractValues(sp.getExpression(), service);
	}

	@Test
	void capacityStatusIndexesTheCodeOfGravitysExtension() throws Exception {
		HealthcareService service = new HealthcareService();
		service.addExtension(CommunityDirectoryContract.capacity("waitlist", "About 20 households waiting"));
		service.addExtension("http://example.org/other-extension", new CodeableConcept(new Coding("urn:x", "capacity", null)));
		List<?> values = eval("healthcareservice-capacity-status", service);
		assertThat(values).singleElement().isInstanceOfSatisfying(CodeableConcept.class, c -> {
			assertThat(c.getCodingFirstRep().getSystem()).isEqualTo(CommunityDirectoryContract.SDOHCC);
			assertThat(c.getCodingFirstRep().getCode()).isEqualTo("waitlist");
		});
		assertThat(eval("healthcareservice-capacity-status", new HealthcareService())).isEmpty();
	}

	@Test
	void eligibilityIndexesEachEligibilityCode() throws Exception {
		HealthcareService service = new HealthcareService();
		service.addEligibility().getCode().addCoding().setCode("older-adult");
		service.addEligibility().getCode().setText("Ramsey County residents");
		assertThat(eval("healthcareservice-eligibility", service)).hasSize(2).allMatch(CodeableConcept.class::isInstance);
	}
}
