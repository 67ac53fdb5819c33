package org.equityfhir.guide;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;

/** Tells clients in /fhir/metadata which of our profiles each resource type is held to. */
class GuideCapabilityStatementInterceptor {

	@Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
	public void addSupportedProfiles(IBaseConformance generated) {
		CapabilityStatement cs = (CapabilityStatement) generated;
		cs.addImplementationGuide("http://equityfhir.org/fhir/ImplementationGuide/org.equityfhir.ig");
		for (CapabilityStatement.CapabilityStatementRestComponent rest : cs.getRest()) {
			for (CapabilityStatement.CapabilityStatementRestResourceComponent resource : rest.getResource()) {
				List<String> profiles = ProfileSelector.profilesByType().get(resource.getType());
				if (profiles != null) {
					profiles.forEach(p -> resource.addSupportedProfile(p));
				}
			}
		}
	}
}
