package org.equityfhir.referral;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The referral workflow: what the server checks when it moves a referral on. */
@Configuration
class ReferralConfig {

	/** Registered with the storage engine, so every write path (REST, transaction, internal) is checked. */
	@Bean
	ReferralTransitionInterceptor referralTransitions(FhirContext fhirContext, IInterceptorService storageInterceptors) {
		ReferralTransitionInterceptor interceptor = new ReferralTransitionInterceptor(fhirContext);
		storageInterceptors.registerInterceptor(interceptor);
		return interceptor;
	}
}
