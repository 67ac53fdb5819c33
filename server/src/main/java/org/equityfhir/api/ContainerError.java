package org.equityfhir.api;

import ca.uhn.fhir.context.FhirContext;
import java.util.Locale;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * The answer to an error that Tomcat or Spring raised before HAPI saw the request, as the FHIR API
 * answers everything else: an OperationOutcome in FHIR JSON, with an issue code and a sentence a client
 * developer can act on. Internal detail (exception text, class names) never goes into it.
 */
record ContainerError(int status, IssueType code, String message) {

	static final String CONTENT_TYPE = "application/fhir+json;charset=UTF-8";

	/**
	 * Tomcat's 501 (an unknown Transfer-Encoding) and 505 (an HTTP version other than 1.0 and 1.1) become
	 * 400: the request is the client's error, and a 5xx would be counted as a fault of this server.
	 */
	static ContainerError forStatus(int status, Throwable cause) {
		return switch (status) {
			case 400 -> tooLarge(cause)
					? new ContainerError(400, IssueType.TOOLONG,
							"The request line or headers are longer than this server accepts: shorten the URL"
									+ " (or POST the search to [type]/_search) and the headers")
					: new ContainerError(400, IssueType.INVALID,
							"The request is not valid HTTP: check the request line, the characters and"
									+ " percent-escapes in the URL, and the headers");
			case 501 -> new ContainerError(400, IssueType.NOTSUPPORTED,
					"The request uses an HTTP feature this server does not implement (for example an unknown Transfer-Encoding)");
			case 505 -> new ContainerError(400, IssueType.NOTSUPPORTED,
					"Only HTTP/1.1 and HTTP/1.0 are supported");
			case 404 -> new ContainerError(404, IssueType.NOTFOUND,
					"Nothing is served at this path: the FHIR API is at /fhir");
			case 405 -> new ContainerError(405, IssueType.NOTSUPPORTED,
					"This HTTP method is not supported here");
			case 408 -> new ContainerError(408, IssueType.TIMEOUT,
					"The request did not arrive in time");
			case 413, 414, 431 -> new ContainerError(status, IssueType.TOOLONG,
					"The request is larger than this server accepts");
			default -> status >= 500
					? new ContainerError(status, IssueType.EXCEPTION, "The server could not complete the request")
					: new ContainerError(status, IssueType.PROCESSING, "The request was refused (HTTP " + status + ")");
		};
	}

	private static boolean tooLarge(Throwable cause) {
		String text = cause == null || cause.getMessage() == null ? "" : cause.getMessage().toLowerCase(Locale.ROOT);
		return text.contains("too large") || text.contains("too long");
	}

	String json() {
		return FhirContext.forR4Cached().newJsonParser().encodeResourceToString(Outcomes.error(code, message));
	}
}
