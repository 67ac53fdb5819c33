package org.equityfhir.guide;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.packages.IHapiPackageCacheManager;
import ca.uhn.fhir.jpa.packages.IPackageInstallerSvc;
import ca.uhn.fhir.validation.IInstanceValidatorModule;
import java.util.List;
import org.equityfhir.api.FhirRestContribution;
import org.equityfhir.storage.ClusterLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/** Our implementation guide: its packages, its validator, its enforcement on write, its installation. */
@Configuration
public class IgConfig {

	private static final Logger log = LoggerFactory.getLogger(IgConfig.class);

	@Bean
	public List<GuidePackage> guidePackages() {
		return GuidePackage.loadAll();
	}

	/** Published packages (US Core, Plan-Net, ...) the operator supplies; installed and validated like ours. */
	@Bean
	public OfficialPackages officialPackages(IgProperties properties) {
		List<GuidePackage> packages = GuidePackage.fromFolder(properties.extraPackages());
		packages.forEach(p -> log.info("Official FHIR package {}#{} from {}", p.id(), p.version(), properties.extraPackages()));
		return new OfficialPackages(packages);
	}

	@Bean
	public GuideValidator guideValidator(
			FhirContext fhirContext, List<GuidePackage> guidePackages, OfficialPackages officialPackages,
			IgProperties properties) {
		GuidePackage terminology = guidePackages.stream()
				.filter(p -> p.id().equals(GuidePackage.TERMINOLOGY_ID)).findFirst().orElseThrow();
		return new GuideValidator(
				fhirContext, guidePackages, officialPackages.packages(), new ProfileSelector(fhirContext, terminology),
				properties.reuseValidators());
	}

	/** Replaces the JPA engine's instance validator, so $validate reports exactly what a write enforces. */
	@Bean
	@Primary
	public IInstanceValidatorModule equityInstanceValidator(GuideValidator guideValidator) {
		return guideValidator;
	}

	/** Registered with the storage engine itself, so every write path is checked, not just REST. */
	@Bean
	public GuideEnforcementInterceptor guideEnforcement(
			FhirContext fhirContext,
			GuideValidator guideValidator,
			IInterceptorService storageInterceptors,
			IgProperties properties) {
		GuideEnforcementInterceptor interceptor = new GuideEnforcementInterceptor(fhirContext, guideValidator);
		if (properties.enforce()) {
			storageInterceptors.registerInterceptor(interceptor);
		} else {
			log.warn("Implementation guide enforcement is OFF (equity.ig.enforce=false): writes are not validated");
		}
		return interceptor;
	}

	@Bean
	public FhirRestContribution guideInCapabilityStatement(GuideValidator guideValidator) {
		return server -> server.registerInterceptor(new GuideCapabilityStatementInterceptor(guideValidator.selector()));
	}

	/** A distinct type, so that it is never mistaken for our own package list. */
	public record OfficialPackages(List<GuidePackage> packages) {}

	@Bean
	public GuideInstaller guideInstaller(
			List<GuidePackage> guidePackages,
			OfficialPackages officialPackages,
			IPackageInstallerSvc installer,
			IHapiPackageCacheManager packageCache,
			ClusterLock clusterLock) {
		// Oldest first, ours last: where two packages share a canonical (US Core 3.1.1 and 7.0.0 search
		// parameters), the newer one is what the database ends up with, as in the validator.
		List<GuidePackage> all = new java.util.ArrayList<>(officialPackages.packages());
		java.util.Collections.reverse(all);
		all.addAll(guidePackages);
		return new GuideInstaller(all, installer, packageCache, clusterLock);
	}
}
