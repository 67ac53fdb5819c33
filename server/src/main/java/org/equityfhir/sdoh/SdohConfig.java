package org.equityfhir.sdoh;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import java.util.List;
import org.equityfhir.api.FhirRestContribution;
import org.equityfhir.guide.GuidePackage;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * SDOH screening: what it contributes to the server, registered here and nowhere else. The questionnaires
 * and the operation's definition are part of our guide (profiles/src/main/fhir) and are installed with it.
 */
@Configuration
class SdohConfig {

	@Bean
	ScreeningExtraction screeningExtraction(FhirContext fhirContext, List<GuidePackage> guidePackages) {
		return new ScreeningExtraction(fhirContext, new ScreeningForms(fhirContext,
				find(guidePackages, GuidePackage.PROFILES_ID), find(guidePackages, GuidePackage.TERMINOLOGY_ID)));
	}

	/** {@code QuestionnaireResponse/$extract} and {@code QuestionnaireResponse/[id]/$extract}. */
	@Bean
	FhirRestContribution questionnaireResponseExtract(ScreeningExtraction extraction, DaoRegistry daos) {
		ExtractOperation operation = new ExtractOperation(extraction, daos.getResourceDao(QuestionnaireResponse.class));
		return server -> server.registerProvider(operation);
	}

	private static GuidePackage find(List<GuidePackage> packages, String id) {
		return packages.stream().filter(p -> p.id().equals(id)).findFirst()
				.orElseThrow(() -> new IllegalStateException("FHIR package " + id + " is not loaded"));
	}
}
