package org.equityfhir.api;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PayloadTooLargeException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Refuses search parameters that were mangled on the way in, instead of searching for something the
 * client did not ask for: percent-escapes that are not UTF-8 (a decoder would search for U+FFFD),
 * control characters (which FHIR strings cannot hold, and PostgreSQL cannot compare), and form bodies
 * Tomcat could not decode (it drops the parameter, which would widen the search to everything).
 * A malformed escape that makes HAPI's own decoder throw is answered by {@link ErrorResponseInterceptor}.
 */
class QueryStringInterceptor {

	/** Set by Tomcat when it could not decode the query string or form body into parameters. */
	private static final String TOMCAT_PARSE_FAILED = "org.apache.catalina.parameter_parse_failed";
	private static final String TOMCAT_PARSE_FAILED_REASON = "org.apache.catalina.parameter_parse_failed_reason";

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean check(RequestDetails request, HttpServletRequest servletRequest) {
		String problem = PercentEscapes.problem(servletRequest.getQueryString());
		if (problem != null) {
			throw invalid(problem);
		}
		if (servletRequest.getAttribute(TOMCAT_PARSE_FAILED) != null) {
			Object reason = servletRequest.getAttribute(TOMCAT_PARSE_FAILED_REASON);
			if (reason != null && reason.toString().equals("POST_TOO_LARGE")) {
				String message = "The form body is larger than this server decodes: send the search parameters in the URL";
				throw new PayloadTooLargeException(message, Outcomes.error(OperationOutcome.IssueType.TOOLONG, message));
			}
			throw invalid(reason != null && reason.toString().equals("URL_DECODING")
					? PercentEscapes.MALFORMED_IN_FORM
					: "The search parameters in the URL or form body could not be decoded");
		}
		for (Map.Entry<String, String[]> parameter : request.getParameters().entrySet()) {
			checkNoControlCharacter(parameter.getKey(), parameter.getKey());
			for (String value : parameter.getValue()) {
				checkNoControlCharacter(parameter.getKey(), value);
			}
		}
		return true;
	}

	private static void checkNoControlCharacter(String parameter, String text) {
		int control = PercentEscapes.firstControlCharacter(text);
		if (control >= 0) {
			throw invalid(String.format(
					"Search parameter '%s' contains the control character U+%04X, which FHIR strings cannot contain",
					printable(parameter), control));
		}
	}

	private static String printable(String name) {
		return name.replaceAll("\\p{Cntrl}", "?");
	}

	private static InvalidRequestException invalid(String message) {
		return new InvalidRequestException(message, Outcomes.error(OperationOutcome.IssueType.INVALID, message));
	}
}
