package org.equityfhir.security;

import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.IdType;

/**
 * AuditEvent in the API: read and search over the append-only audit trail, and nothing else (no create,
 * update, delete or history exists for it). Newest first, at most {@link #MAX} per search.
 */
class AuditEventProvider implements IResourceProvider {

	static final int MAX = 1000;

	private final AuditTrail trail;

	AuditEventProvider(AuditTrail trail) {
		this.trail = trail;
	}

	@Override
	public Class<? extends IBaseResource> getResourceType() {
		return AuditEvent.class;
	}

	@Read
	public AuditEvent read(@IdParam IdType id) {
		AuditEvent event = trail.read(id.getIdPart());
		if (event == null) {
			throw new ResourceNotFoundException(id);
		}
		return event;
	}

	@Search(allowUnknownParams = false)
	public List<AuditEvent> search(
			@OptionalParam(name = "_id") TokenParam id,
			@OptionalParam(name = AuditEvent.SP_DATE) DateRangeParam date,
			@OptionalParam(name = AuditEvent.SP_ALTID) TokenParam client,
			@OptionalParam(name = AuditEvent.SP_ENTITY) ReferenceParam entity,
			@OptionalParam(name = AuditEvent.SP_PATIENT) ReferenceParam patient,
			@OptionalParam(name = AuditEvent.SP_OUTCOME) TokenParam outcome,
			@OptionalParam(name = AuditEvent.SP_SUBTYPE) TokenParam subtype,
			@Count Integer count) {
		if (id != null) {
			AuditEvent one = trail.read(id.getValue());
			return one == null ? List.of() : List.of(one);
		}
		return trail.search(
				date == null || date.getLowerBoundAsInstant() == null ? null : date.getLowerBoundAsInstant().toInstant(),
				date == null || date.getUpperBoundAsInstant() == null ? null : date.getUpperBoundAsInstant().toInstant(),
				client == null ? null : client.getValue(),
				entity == null ? null : entity.getResourceType() + "/" + entity.getIdPart(),
				patient == null ? null : "Patient/" + patient.getIdPart(),
				outcome == null ? null : outcome.getValue(),
				subtype == null ? null : subtype.getValue(),
				count == null ? 100 : Math.min(count, MAX));
	}
}
