package org.equityfhir.directory;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
		keepVersionedProvenanceTargets(fhirContext);
		return new AttestationForm(fhirContext, find(guidePackages, GuidePackage.PROFILES_ID), find(guidePackages, GuidePackage.TERMINOLOGY_ID));
	}

	@Bean
	@SuppressWarnings("unchecked")
	FhirRestContribution attestationOperation(AttestationForm form, DaoRegistry daos, IFhirSystemDao<?, ?> systemDao) {
		AttestationOperation operation = new AttestationOperation(
				form, daos.getResourceDao(Practitioner.class), (IFhirSystemDao<Bundle, ?>) systemDao);
		return server -> server.registerProvider(operation);
	}

	/**
	 * A Provenance explains one version of its target (FHIR: the target "SHOULD be version specific"), but
	 * HAPI strips reference versions when it stores a resource unless told otherwise for that path.
	 */
	private static void keepVersionedProvenanceTargets(FhirContext fhirContext) {
		Set<String> paths = new HashSet<>(fhirContext.getParserOptions().getDontStripVersionsFromReferencesAtPaths());
		paths.add("Provenance.target");
		fhirContext.getParserOptions().setDontStripVersionsFromReferencesAtPaths(paths);
	}

	private static GuidePackage find(List<GuidePackage> packages, String id) {
		return packages.stream().filter(p -> p.id().equals(id)).findFirst()
				.orElseThrow(() -> new IllegalStateException("FHIR package " + id + " is not loaded"));
	}
}
