package org.equityfhir.directory;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import java.util.List;
import org.equityfhir.api.FhirRestContribution;
import org.equityfhir.guide.GuidePackage;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Practitioner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Clinician self-attestation: the diversity and health equity form and {@code Practitioner/[id]/$attest}. */
@Configuration
class AttestationConfig {

	@Bean
	AttestationForm attestationForm(FhirContext fhirContext, List<GuidePackage> guidePackages) {
		return new AttestationForm(fhirContext, find(guidePackages, GuidePackage.PROFILES_ID), find(guidePackages, GuidePackage.TERMINOLOGY_ID));
	}

	@Bean
	@SuppressWarnings("unchecked")
	FhirRestContribution attestationOperation(AttestationForm form, DaoRegistry daos, IFhirSystemDao<?, ?> systemDao) {
		AttestationOperation operation = new AttestationOperation(
				form, daos.getResourceDao(Practitioner.class), (IFhirSystemDao<Bundle, ?>) systemDao);
		return server -> server.registerProvider(operation);
	}

	private static GuidePackage find(List<GuidePackage> packages, String id) {
		return packages.stream().filter(p -> p.id().equals(id)).findFirst()
				.orElseThrow(() -> new IllegalStateException("FHIR package " + id + " is not loaded"));
	}
}
