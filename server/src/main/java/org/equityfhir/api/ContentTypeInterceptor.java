package org.equityfhir.api;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Locale;
import org.hl7.fhir.r4.model.OperationOutcome;
import java.util.Set;

/**
 * Refuses request bodies in media types the FHIR API does not read with 415, instead of HAPI's guess
 * at a parser. FHIR JSON and XML (and their generic forms), JSON/FHIRPath Patch, and form posts to
 * _search are accepted.
 */
class ContentTypeInterceptor {

	private static final Set<String> ACCEPTED = Set.of(
			"application/fhir+json",
			"application/json",
			"application/json+fhir",
			"application/fhir+xml",
			"application/xml",
			"application/xml+fhir",
			"text/xml",
			"application/json-patch+json",
			"application/x-www-form-urlencoded");

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED)
	public boolean checkContentType(HttpServletRequest request) {
		String method = request.getMethod();
		boolean hasBody = request.getContentLengthLong() > 0
				|| request.getHeader("Transfer-Encoding") != null;
		if (!hasBody || !(method.equals("POST") || method.equals("PUT") || method.equals("PATCH"))) {
			return true;
		}
		String contentType = request.getContentType();
		String mediaType = contentType == null
				? ""
				: contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
		if (!ACCEPTED.contains(mediaType)) {
			String message = "Unsupported media type '" + (contentType == null ? "" : mediaType)
					+ "': send application/fhir+json or application/fhir+xml";
			throw new UnclassifiedServerFailureException(
					415, message, Outcomes.error(OperationOutcome.IssueType.NOTSUPPORTED, message));
		}
		return true;
	}
}
