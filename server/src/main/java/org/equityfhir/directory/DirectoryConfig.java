package org.equityfhir.directory;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.equityfhir.api.FhirRestContribution;
import org.equityfhir.guide.GuidePackage;
import org.equityfhir.platform.StaticPage;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Practitioner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The provider directory: what it contributes to the server, registered here and nowhere else. Its search
 * parameters, the attestation form and the operations' definitions are part of our guide
 * (profiles/src/main/fhir) and are installed with it.
 */
@Configuration
class DirectoryConfig {

	/**
	 * Masking applies to what the REST API returns, so it is registered on the RestfulServer; only the plain-engine
	 * benchmark switches it off ({@code equity.directory.mask-opt-outs=false}).
	 */
	@Bean
	FhirRestContribution directoryMasking(FhirContext fhirContext, DaoRegistry daos, DirectoryProperties properties) {
		return server -> {
			if (properties.maskOptOuts()) {
				server.registerInterceptor(new DirectoryMaskingInterceptor(fhirContext, daos));
			}
		};
	}

	/** Restoring hidden values applies to every write path, so it is registered with the storage engine. */
	@Bean
	MaskedCopyRestorer maskedCopyRestorer(IInterceptorService storageInterceptors) {
		MaskedCopyRestorer restorer = new MaskedCopyRestorer();
		storageInterceptors.registerInterceptor(restorer);
		return restorer;
	}

	/** Clinician self-attestation: the diversity and health equity form and {@code Practitioner/[id]/$attest}. */
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

	/** {@code PractitionerRole/$match}. */
	@Bean
	FhirRestContribution practitionerRoleMatch(
			FhirContext fhirContext, DaoRegistry daos, MatchUrlService matchUrls, CompetencyHierarchy competencies) {
		MatchOperation match = new MatchOperation(fhirContext, daos, matchUrls, competencies);
		return server -> server.registerProvider(match);
	}

	/** Our cultural-competency hierarchy: $match credits a narrower competency, and the equity reports count by it. */
	@Bean
	CompetencyHierarchy competencyHierarchy(FhirContext fhirContext, List<GuidePackage> guidePackages) {
		return new CompetencyHierarchy(fhirContext, find(guidePackages, GuidePackage.TERMINOLOGY_ID));
	}

	/**
	 * The directory page for member services, at /directory: static files in this package's resources folder
	 * ({@code page/}). {@code page/places.json} lists Minnesota cities and neighbourhoods with one ZIP code and an
	 * approximate centre (WGS84), written by us from public geography, for "near a city or ZIP" searches.
	 */
	@Bean
	WebMvcConfigurer directoryPage() {
		return new StaticPage("/directory", "classpath:/org/equityfhir/directory/page/");
	}

	/** A clinician's own record, signed in: their attributes and display choices, saved with $attest. */
	@Bean
	StaticPage attestationPage() {
		return new StaticPage("/attest", "classpath:/org/equityfhir/directory/attest/");
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
