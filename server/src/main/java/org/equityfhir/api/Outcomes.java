package org.equityfhir.api;

import org.hl7.fhir.r4.model.OperationOutcome;

/** OperationOutcomes for the errors our own code raises: an issue code and a sentence a person can act on. */
public final class Outcomes {

	private Outcomes() {}

	public static OperationOutcome error(OperationOutcome.IssueType code, String diagnostics) {
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue()
				.setSeverity(OperationOutcome.IssueSeverity.ERROR)
				.setCode(code)
				.setDiagnostics(diagnostics);
		return outcome;
	}
}
