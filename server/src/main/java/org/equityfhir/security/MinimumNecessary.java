package org.equityfhir.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.IPreResourceShowDetails;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import org.equityfhir.api.InterceptorOrder;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Patient;

/**
 * A community organization sees of a Patient just what its service needs: name, contact (telecom and
 * address) and language. Everything else (identifiers, birth date, gender, race, links, narrative) is
 * removed from a copy before it is shown, and the copy is labelled as redacted. Applied as resources are
 * loaded for reading (read, search, includes, history), the only ways such a caller meets a Patient.
 */
@Interceptor(order = InterceptorOrder.CONSENT_MASKING)
class MinimumNecessary {

	static final String REDACTED_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";

	@Hook(Pointcut.STORAGE_PRESHOW_RESOURCES)
	public void minimum(RequestDetails request, IPreResourceShowDetails details) {
		Caller caller = PolicyAuthorization.callerOf(request);
		if (caller.anonymous() || caller.policy().reach() != AccessPolicy.Reach.OWN_ORGANIZATION) {
			return;
		}
		for (int i = 0; i < details.size(); i++) {
			if (details.getResource(i) instanceof Patient full) {
				details.setResource(i, minimum(full));
			}
		}
	}

	static Patient minimum(Patient full) {
		Patient shown = new Patient();
		shown.setIdElement(full.getIdElement().copy());
		shown.setMeta(full.getMeta().copy());
		shown.getMeta().addSecurity(new Coding(REDACTED_SYSTEM, "REDACTED", "redacted"));
		full.getName().forEach(n -> shown.addName(n.copy()));
		full.getTelecom().forEach(t -> shown.addTelecom(t.copy()));
		full.getAddress().forEach(a -> shown.addAddress(a.copy()));
		full.getCommunication().forEach(c -> shown.addCommunication(c.copy()));
		return shown;
	}
}
