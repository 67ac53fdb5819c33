package org.equityfhir.directory;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import org.equityfhir.api.FhirRestContribution;
import org.equityfhir.guide.GuidePackage;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** PractitionerRole/$match on the FHIR API. */
@Configuration
class MatchConfig {

	@Bean
	FhirRestContribution practitionerRoleMatch(FhirContext fhirContext, DaoRegistry daos, MatchUrlService matchUrls) {
		MatchOperation match = new MatchOperation(fhirContext, daos, matchUrls,
				new CompetencyHierarchy(fhirContext, GuidePackage.load(GuidePackage.TERMINOLOGY_ID)));
		return server -> server.registerProvider(match);
	}
}
