package org.equityfhir.sdoh;

import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import org.equityfhir.api.Outcomes;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.QuestionnaireResponse;

/**
 * SDC's {@code $extract} on QuestionnaireResponse, for our screening questionnaires: it returns the
 * transaction Bundle to store and stores nothing itself, so a clinician (or the client's workflow) decides
 * what is recorded, and posting it is one ordinary, validated transaction.
 */
class ExtractOperation {

	static final String OPERATION = "$extract";
	static final String RESPONSE = "questionnaire-response";
	static final String PROPOSE_CONDITION = "propose-condition";

	private final ScreeningExtraction extraction;
	private final IFhirResourceDao<QuestionnaireResponse> responses;

	ExtractOperation(ScreeningExtraction extraction, IFhirResourceDao<QuestionnaireResponse> responses) {
		this.extraction = extraction;
		this.responses = responses;
	}

	/** {@code QuestionnaireResponse/[id]/$extract} reads the stored response; {@code QuestionnaireResponse/$extract} takes one. */
	@Operation(name = OPERATION, type = QuestionnaireResponse.class, idempotent = true)
	public Bundle extract(
			@IdParam(optional = true) IdType id,
			@OperationParam(name = RESPONSE, min = 0, max = 1) QuestionnaireResponse response,
			@OperationParam(name = PROPOSE_CONDITION, min = 0, max = 1) BooleanType proposeCondition,
			RequestDetails request) {
		boolean propose = proposeCondition != null && proposeCondition.booleanValue();
		if (id != null && id.hasIdPart()) {
			if (response != null) {
				throw invalid(OperationOutcome.IssueType.INVALID, "Parameters.parameter.where(name = '" + RESPONSE + "')",
						"QuestionnaireResponse/[id]/$extract extracts the stored response; send '" + RESPONSE
								+ "' only to QuestionnaireResponse/$extract");
			}
			// Read as the caller: whatever may stop them reading the response stops them extracting it.
			QuestionnaireResponse stored = responses.read(id.toUnqualifiedVersionless(), request);
			return extraction.extractStored(stored, propose);
		}
		if (response == null) {
			throw invalid(OperationOutcome.IssueType.REQUIRED, "Parameters.parameter",
					"QuestionnaireResponse/$extract needs the response to extract: a Parameters body with '" + RESPONSE
							+ "' (or call QuestionnaireResponse/[id]/$extract on a stored one)");
		}
		return extraction.extractSubmitted(response, propose);
	}

	private static InvalidRequestException invalid(OperationOutcome.IssueType code, String expression, String message) {
		OperationOutcome outcome = Outcomes.error(code, expression + ": " + message);
		outcome.getIssueFirstRep().addExpression(expression);
		return new InvalidRequestException(message, outcome);
	}
}
