package org.equityfhir.security;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.equityfhir.api.Outcomes;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * Refusals before the FHIR API: a token that fails verification (401) or an admin path without the admin
 * role (403). Answered as a FHIR OperationOutcome that says why without quoting the token, and audited.
 */
class RefusalResponses implements AuthenticationEntryPoint, AccessDeniedHandler {

	private final FhirContext fhirContext;
	private final AuditTrail audit;

	RefusalResponses(FhirContext fhirContext, AuditTrail audit) {
		this.fhirContext = fhirContext;
		this.audit = audit;
	}

	@Override
	public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure) throws IOException {
		String why = request.getHeader("Authorization") == null
				? "This request needs a bearer token (SMART Backend Services or a signed-in user)"
				: "The bearer token was refused: it is expired, not yet valid, wrongly signed, or not for this server";
		response.setHeader("WWW-Authenticate", request.getHeader("Authorization") == null
				? "Bearer" : "Bearer error=\"invalid_token\"");
		write(request, response, 401, OperationOutcome.IssueType.LOGIN, why, Caller.ANONYMOUS);
	}

	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied) throws IOException {
		write(request, response, 403, OperationOutcome.IssueType.FORBIDDEN, "This needs the admin role", Caller.current());
	}

	private void write(HttpServletRequest request, HttpServletResponse response, int status, OperationOutcome.IssueType type, String why,
			Caller caller) throws IOException {
		audit.record(new AuditTrail.Entry(caller, "refused", AuditEventAction.E,
				AuditEventOutcome._4, status + " " + why, List.of(), null,
				request.getMethod() + " " + request.getRequestURI(), request.getRemoteAddr()));
		response.setStatus(status);
		response.setContentType("application/fhir+json;charset=UTF-8");
		response.getWriter().write(fhirContext.newJsonParser().encodeResourceToString(Outcomes.error(type, why)));
	}
}
