package org.equityfhir.api;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;

/** Puts our name, version and publisher into /fhir/metadata. */
public class CapabilityStatementCustomizer {

	@Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
	public void customize(IBaseConformance generated) {
		CapabilityStatement cs = (CapabilityStatement) generated;
		cs.setName("EquityFhirServer");
		cs.setTitle(ServerIdentity.NAME);
		cs.setPublisher(ServerIdentity.PUBLISHER);
		cs.setDescription(ServerIdentity.DESCRIPTION);
		cs.getSoftware().setName(ServerIdentity.NAME).setVersion(ServerIdentity.version());
		cs.getImplementation().setDescription(ServerIdentity.DESCRIPTION);
	}
}
