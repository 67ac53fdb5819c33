package org.equityfhir.api;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * Spring Boot's error page (/error), which answers whatever reaches Tomcat's error-page dispatch: paths
 * outside /fhir (including /fhir/.. normalised away from it), methods no servlet knows, exceptions that
 * escape a filter. Answers with an OperationOutcome like the FHIR API, instead of Boot's JSON or HTML.
 */
@Controller
class FhirErrorController implements ErrorController {

	private static final Logger log = LoggerFactory.getLogger(FhirErrorController.class);
	private static final String METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

	@RequestMapping("${server.error.path:/error}")
	void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		// Requested directly, /error is just a path where nothing is served.
		int status = code instanceof Integer number ? number : 404;
		ContainerError error;
		if (status == 501) {
			// A method no servlet implements (HttpServlet answers 501): FHIR's HTTP methods are known.
			error = new ContainerError(405, IssueType.NOTSUPPORTED,
					"HTTP method " + request.getMethod() + " is not supported: FHIR uses " + METHODS);
			response.setHeader("Allow", METHODS);
		} else if (status >= 500) {
			String incident = UUID.randomUUID().toString();
			log.error("Incident {}: {} {} failed", incident, request.getMethod(),
					request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI),
					(Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION));
			error = new ContainerError(status, IssueType.EXCEPTION,
					"The server could not complete the request (incident " + incident + "); the error was logged");
		} else {
			error = ContainerError.forStatus(status, null);
		}
		byte[] body = error.json().getBytes(StandardCharsets.UTF_8);
		response.setStatus(error.status());
		response.setContentType(ContainerError.CONTENT_TYPE);
		response.setContentLength(body.length);
		response.getOutputStream().write(body);
	}
}
