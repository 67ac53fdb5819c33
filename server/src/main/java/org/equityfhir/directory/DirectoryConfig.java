package org.equityfhir.directory;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import org.equityfhir.api.FhirRestContribution;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The provider directory: what it contributes to the server, registered here and nowhere else. Its search
 * parameters are part of our guide (profiles/src/main/fhir/SearchParameter-practitioner-*.json) and are
 * installed with it.
 */
@Configuration
class DirectoryConfig {

	/** Masking applies to what the REST API returns, so it is registered on the RestfulServer. */
	@Bean
	FhirRestContribution directoryMasking(FhirContext fhirContext, DaoRegistry daos) {
		return server -> server.registerInterceptor(new DirectoryMaskingInterceptor(fhirContext, daos));
	}

	/** Restoring hidden values applies to every write path, so it is registered with the storage engine. */
	@Bean
	MaskedCopyRestorer maskedCopyRestorer(IInterceptorService storageInterceptors) {
		MaskedCopyRestorer restorer = new MaskedCopyRestorer();
		storageInterceptors.registerInterceptor(restorer);
		return restorer;
	}
}
