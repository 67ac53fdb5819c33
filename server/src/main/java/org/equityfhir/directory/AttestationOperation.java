package org.equityfhir.directory;

import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import java.util.UUID;
import org.equityfhir.api.Outcomes;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.QuestionnaireResponse;
import org.hl7.fhir.r4.model.Reference;

/**
 * {@code Practitioner/[id]/$attest}: a clinician's completed diversity and health equity form becomes
 * that Practitioner's directory attributes and display choices, with a Provenance, in one transaction.
 *
 * <p>An operation on the Practitioner rather than SDC's {@code QuestionnaireResponse/$extract}: $extract
 * returns resources for the client to store, while an attestation must change one existing Practitioner
 * in place (keeping everything it does not attest) atomically with its record of who said so.
 */
class AttestationOperation {

	static final String OPERATION = "$attest";

	private final AttestationForm form;
	private final IFhirResourceDao<Practitioner> practitioners;
	private final IFhirSystemDao<Bundle, ?> system;

	AttestationOperation(AttestationForm form, IFhirResourceDao<Practitioner> practitioners, IFhirSystemDao<Bundle, ?> system) {
		this.form = form;
		this.practitioners = practitioners;
		this.system = system;
	}

	/** The body is the QuestionnaireResponse itself or a Parameters resource carrying it as {@code response}. */
	@Operation(name = OPERATION, type = Practitioner.class, idempotent = false)
	public Practitioner attest(
			@IdParam IdType id,
			@OperationParam(name = "response", min = 1, max = 1) QuestionnaireResponse response,
			RequestDetails request) {
		if (response == null) {
			throw AttestationForm.refusal(OperationOutcome.IssueType.REQUIRED, "Parameters.parameter",
					"$attest takes the completed form: a QuestionnaireResponse body, or Parameters with 'response'");
		}
		form.check(response);
		Attestation attestation = Attestation.read(response, form);

		// Read the whole stored Practitioner as the system, not as the caller: the directory's display
		// masking must never apply to this internal read, or the PUT below would drop what it hides.
		Practitioner stored = practitioners.read(id.toUnqualifiedVersionless(), new SystemRequestDetails());
		String idPart = stored.getIdElement().getIdPart();
		long version = stored.getIdElement().getVersionIdPartAsLong();
		Reference practitioner = new Reference("Practitioner/" + idPart);
		if (response.hasSubject() && !practitioner.getReference().equals(response.getSubject().getReference())) {
			throw AttestationForm.refusal(OperationOutcome.IssueType.BUSINESSRULE, "QuestionnaireResponse.subject",
					"The attestation is about " + response.getSubject().getReference() + ", not " + practitioner.getReference());
		}

		Practitioner updated = stored.copy();
		updated.setMeta(null);
		updated.setId(idPart);
		attestation.applyTo(updated);

		// Through the system DAO as one FHIR transaction, with the caller's request: guide enforcement and
		// any authorization or consent interceptor see these writes as they would see the caller's own.
		Bundle bundle = transaction(response, practitioner, updated, version);
		try {
			system.transaction(request, bundle);
		} catch (ResourceVersionConflictException concurrent) {
			// FHIR answers a stale If-Match with 412; HAPI's conflict is 409.
			throw new PreconditionFailedException(concurrent.getMessage(), Outcomes.error(OperationOutcome.IssueType.CONFLICT,
					practitioner.getReference() + " changed while the attestation was applied (expected version "
							+ version + "); nothing was written, submit it again"));
		}
		// The version this attestation made, not whatever a later writer may already have stored.
		return practitioners.read(new IdType("Practitioner", idPart, String.valueOf(version + 1)), new SystemRequestDetails());
	}

	private static Bundle transaction(QuestionnaireResponse response, Reference practitioner, Practitioner updated, long version) {
		Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		String form = "urn:uuid:" + UUID.randomUUID();
		QuestionnaireResponse record = response.copy();
		record.setId((String) null);
		record.setMeta(null);
		if (!record.hasSubject()) {
			record.setSubject(practitioner.copy());
		}
		bundle.addEntry().setFullUrl(form).setResource(record)
				.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("QuestionnaireResponse");

		bundle.addEntry().setResource(updated).getRequest()
				.setMethod(Bundle.HTTPVerb.PUT)
				.setUrl(practitioner.getReference())
				.setIfMatch("W/\"" + version + "\"");

		Provenance provenance = new Provenance();
		// The If-Match makes the next version number certain: the Provenance names the version it explains.
		provenance.addTarget(new Reference(practitioner.getReference() + "/_history/" + (version + 1)));
		provenance.setRecordedElement(new InstantType(response.getAuthoredElement().getValue()));
		provenance.setOccurred(response.getAuthoredElement().copy());
		provenance.setActivity(new CodeableConcept(new Coding(
				"http://terminology.hl7.org/CodeSystem/v3-DataOperation", "UPDATE", "revise")));
		Reference who = response.hasAuthor() ? response.getAuthor() : response.hasSource() ? response.getSource() : practitioner;
		provenance.addAgent()
				.setType(new CodeableConcept(new Coding(
						"http://terminology.hl7.org/CodeSystem/provenance-participant-type", "author", "Author")))
				.setWho(who.copy());
		provenance.addEntity().setRole(Provenance.ProvenanceEntityRole.SOURCE).setWhat(new Reference(form));
		bundle.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(provenance)
				.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Provenance");
		return bundle;
	}
}
