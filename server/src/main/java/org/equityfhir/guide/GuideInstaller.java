package org.equityfhir.guide;

import ca.uhn.fhir.jpa.packages.IHapiPackageCacheManager;
import ca.uhn.fhir.jpa.packages.IPackageInstallerSvc;
import ca.uhn.fhir.jpa.packages.PackageInstallOutcomeJson;
import ca.uhn.fhir.jpa.packages.PackageInstallationSpec;
import ca.uhn.fhir.jpa.packages.util.PackageUtils;
import java.util.Arrays;
import java.util.List;
import org.equityfhir.storage.ClusterLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;

/**
 * Installs our guide's packages into the database at start-up, before the server reports ready: from
 * the classpath, never the network. A package whose exact bytes are already installed is left alone,
 * so restarts are cheap; a changed package (a new build of the same version) is installed again. One
 * instance at a time installs, under a database lock.
 */
public class GuideInstaller implements ApplicationRunner {

	private static final Logger log = LoggerFactory.getLogger(GuideInstaller.class);

	private final List<GuidePackage> packages;
	private final IPackageInstallerSvc installer;
	private final IHapiPackageCacheManager packageCache;
	private final ClusterLock lock;

	public GuideInstaller(
			List<GuidePackage> packages,
			IPackageInstallerSvc installer,
			IHapiPackageCacheManager packageCache,
			ClusterLock lock) {
		this.packages = packages;
		this.installer = installer;
		this.packageCache = packageCache;
		this.lock = lock;
	}

	@Override
	public void run(ApplicationArguments args) {
		lock.runExclusively("equity-guide-install", () -> packages.forEach(this::install));
	}

	void install(GuidePackage pkg) {
		if (isInstalled(pkg)) {
			log.info("FHIR package {}#{} is already installed", pkg.id(), pkg.version());
			return;
		}
		PackageInstallationSpec spec = new PackageInstallationSpec()
				.setName(pkg.id())
				.setVersion(pkg.version())
				.setPackageContents(pkg.contents())
				.setFetchDependencies(false)
				.setInstallMode(PackageInstallationSpec.InstallModeEnum.STORE_AND_INSTALL);
		spec.setReloadExisting(true);
		if (pkg.id().equals(GuidePackage.PROFILES_ID)) {
			// HAPI installs only terminology, profiles, search parameters and subscriptions by default; our
			// guide's forms, operation definitions and measures are served to clients too (canonical resolution).
			List<String> types = new java.util.ArrayList<>(PackageUtils.DEFAULT_INSTALL_TYPES);
			types.addAll(List.of("Questionnaire", "OperationDefinition", "Measure"));
			spec.setInstallResourceTypes(types);
		}
		long start = System.nanoTime();
		PackageInstallOutcomeJson outcome = installer.install(spec);
		log.info(
				"Installed FHIR package {}#{} in {} ms: {}",
				pkg.id(),
				pkg.version(),
				(System.nanoTime() - start) / 1_000_000,
				outcome.getResourcesInstalled());
	}

	private boolean isInstalled(GuidePackage pkg) {
		try {
			IHapiPackageCacheManager.PackageContents stored = packageCache.loadPackageContents(pkg.id(), pkg.version());
			return stored != null && Arrays.equals(stored.getBytes(), pkg.contents());
		} catch (RuntimeException notStored) {
			return false;
		}
	}
}
