package org.equityfhir.api;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * Stands in for Tomcat's ErrorReportValve on the Host, which renders the errors Tomcat raises before any
 * servlet runs (a request line, URL or header it cannot parse, an unsupported HTTP version) and any error
 * response nobody wrote a body for. It writes a FHIR OperationOutcome ({@link ContainerError}) where Tomcat
 * would write an HTML page. Public only because Tomcat may instantiate it by class name.
 */
public class FhirErrorReportValve extends ErrorReportValve {

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		if (response.getStatus() < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
			return;
		}
		AtomicBoolean ioAllowed = new AtomicBoolean(true);
		response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
		if (!ioAllowed.get()) {
			return;
		}
		ContainerError error = ContainerError.forStatus(response.getStatus(), throwable);
		try {
			response.setStatus(error.status());
			response.setContentType(ContainerError.CONTENT_TYPE);
			// Tomcat's own writer for error reports: usable whatever the application did with the response.
			Writer writer = response.getReporter();
			if (writer != null) {
				writer.write(error.json());
				response.finishResponse();
			}
		} catch (IOException | IllegalStateException e) {
			// The client went away, or the response was taken over meanwhile: nothing left to tell anyone.
		}
	}
}
