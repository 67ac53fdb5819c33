package org.equityfhir.security;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceOrListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;

/**
 * What a community organization may see, for one request: the referrals addressed to it (a ServiceRequest
 * whose performer is its Organization or one of its HealthcareServices), the Tasks it owns or may claim
 * (unowned, for such a referral), the Consents of those referrals, and the Patients of those referrals
 * while a referral's Consent is active. Read as the system (the organization's own rights are what is
 * being decided); each answer is remembered for the rest of the request only.
 */
final class OrganizationScope {

	private static final String KEY = OrganizationScope.class.getName();
	/** Referral statuses in which the organization still sees the patient. */
	private static final List<String> OPEN = List.of("active", "on-hold", "completed");

	private final DaoRegistry daos;
	private final Set<String> identities;
	private final Map<String, Boolean> decided = new HashMap<>();

	private OrganizationScope(DaoRegistry daos, Set<String> identities) {
		this.daos = daos;
		this.identities = identities;
	}

	/** The scope of the caller's organization, made once per request. */
	static OrganizationScope of(RequestDetails request, Caller caller, DaoRegistry daos) {
		return (OrganizationScope) request.getUserData().computeIfAbsent(KEY, k -> {
			Set<String> ids = new LinkedHashSet<>();
			ids.add(caller.organization());
			SearchParameterMap services = SearchParameterMap.newSynchronous()
					.add(HealthcareService.SP_ORGANIZATION, new ReferenceParam(caller.organization()));
			daos.getResourceDao(HealthcareService.class).search(services, new SystemRequestDetails()).getAllResources()
					.forEach(hs -> ids.add("HealthcareService/" + hs.getIdElement().getIdPart()));
			return new OrganizationScope(daos, ids);
		});
	}

	/** Organization/x and HealthcareService/y references that stand for the organization. */
	Set<String> identities() {
		return identities;
	}

	boolean isOurs(Reference reference) {
		return reference != null && reference.hasReference()
				&& identities.contains(new IdType(reference.getReference()).toUnqualifiedVersionless().getValue());
	}

	/** Whether the organization may see this resource (types it has no rule for: never). */
	boolean maySee(IBaseResource resource) {
		if (resource instanceof ServiceRequest sr) {
			return sr.getPerformer().stream().anyMatch(this::isOurs);
		}
		if (resource instanceof Task task) {
			if (task.hasOwner()) {
				return isOurs(task.getOwner());
			}
			return task.getFocus().hasReference() && task.getFocus().getReference().startsWith("ServiceRequest/")
					&& referralIsOurs(task.getFocus().getReference());
		}
		if (resource instanceof Patient patient) {
			return patientIsOurs(patient.getIdElement().toUnqualifiedVersionless().getValue());
		}
		if (resource instanceof Consent consent) {
			return consentIsOurs(consent.getIdElement().toUnqualifiedVersionless().getValue());
		}
		if (resource instanceof Procedure procedure) {
			return procedure.getBasedOn().stream().anyMatch(r -> r.hasReference()
					&& r.getReference().startsWith("ServiceRequest/") && referralIsOurs(r.getReference()));
		}
		return false;
	}

	private boolean referralIsOurs(String reference) {
		return decided.computeIfAbsent(reference, ref -> {
			try {
				ServiceRequest sr = (ServiceRequest) daos.getResourceDao(ServiceRequest.class)
						.read(new IdType(ref).toUnqualifiedVersionless(), new SystemRequestDetails());
				return sr.getPerformer().stream().anyMatch(this::isOurs);
			} catch (RuntimeException gone) {
				return false;
			}
		});
	}

	private boolean patientIsOurs(String patient) {
		return decided.computeIfAbsent(patient, p -> referrals(ServiceRequest.SP_SUBJECT, p).stream()
				.anyMatch(sr -> ((ServiceRequest) sr).getSupportingInfo().stream().anyMatch(this::activeConsent)));
	}

	private boolean consentIsOurs(String consent) {
		return decided.computeIfAbsent(consent, c -> !referrals("supporting-info", c).isEmpty());
	}

	/** The open referrals to this organization whose {@code param} is {@code reference}. */
	private List<IBaseResource> referrals(String param, String reference) {
		ReferenceOrListParam performers = new ReferenceOrListParam();
		identities.forEach(id -> performers.addOr(new ReferenceParam(id)));
		TokenOrListParam statuses = new TokenOrListParam();
		OPEN.forEach(s -> statuses.addOr(new TokenParam(s)));
		SearchParameterMap map = SearchParameterMap.newSynchronous()
				.add(param, new ReferenceParam(reference))
				.add(ServiceRequest.SP_PERFORMER, performers)
				.add(ServiceRequest.SP_STATUS, statuses);
		IBundleProvider found = daos.getResourceDao(ServiceRequest.class).search(map, new SystemRequestDetails());
		return found.getAllResources();
	}

	private boolean activeConsent(Reference reference) {
		if (!reference.hasReference() || !reference.getReference().startsWith("Consent/")) {
			return false;
		}
		try {
			Consent consent = (Consent) daos.getResourceDao(Consent.class)
					.read(new IdType(reference.getReference()).toUnqualifiedVersionless(), new SystemRequestDetails());
			boolean inPeriod = !consent.hasProvision() || !consent.getProvision().hasPeriod()
					|| consent.getProvision().getPeriod().getEnd() == null
					|| consent.getProvision().getPeriod().getEnd().after(new java.util.Date());
			return consent.getStatus() == Consent.ConsentState.ACTIVE && inPeriod;
		} catch (RuntimeException gone) {
			return false;
		}
	}
}
