package org.equityfhir.api;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.parser.DataFormatException;
import org.apache.commons.lang3.exception.ExceptionUtils;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.UUID;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last stop for every error the FHIR API returns: FHIR R4's status codes where HAPI differs, and no
 * internal detail (stack traces, SQL, class names) in any response.
 */
public class ErrorResponseInterceptor {

	private static final Logger log = LoggerFactory.getLogger(ErrorResponseInterceptor.class);

	@Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
	public BaseServerResponseException translate(Throwable exception, HttpServletRequest servletRequest) {
		// FHIR R4 (http.html#concurrency): a stale If-Match is 412 Precondition Failed; HAPI says 409.
		if (exception instanceof ResourceVersionConflictException
				&& servletRequest.getHeader(Constants.HEADER_IF_MATCH) != null) {
			String message = "The resource has changed since the version given in If-Match: read it again and retry";
			return new PreconditionFailedException(message, Outcomes.error(OperationOutcome.IssueType.CONFLICT, message));
		}
		if (exception instanceof BaseServerResponseException known && !(known instanceof InternalErrorException)) {
			return null;
		}
		// Unparseable client input found late (e.g. a search date of "not-a-date") is the client's error.
		DataFormatException badInput = ExceptionUtils.throwableOfType(exception, DataFormatException.class);
		if (badInput != null) {
			return new InvalidRequestException(
					badInput.getMessage(), Outcomes.error(OperationOutcome.IssueType.INVALID, badInput.getMessage()));
		}
		// HAPI decodes the query string (and a form body) before any hook runs; a malformed escape throws there.
		if (PercentEscapes.isDecodingFailure(exception)) {
			String problem = PercentEscapes.problem(servletRequest.getQueryString());
			String message = problem != null ? problem : PercentEscapes.MALFORMED_IN_FORM;
			return new InvalidRequestException(message, Outcomes.error(OperationOutcome.IssueType.INVALID, message));
		}
		// The database is away (restarting, failing over) or every connection is busy past the pool's wait: the
		// request changed nothing and may be sent again, so it is 503 with Retry-After, not a fault of ours.
		if (isDatabaseUnavailable(exception)) {
			log.warn("{} {} answered 503: the database is unavailable ({})", servletRequest.getMethod(),
					servletRequest.getRequestURI(), ExceptionUtils.getRootCause(exception).toString());
			String message = "The database is unavailable for the moment: nothing was changed; retry the request shortly";
			BaseServerResponseException unavailable = new BaseServerResponseException(503, message,
					Outcomes.error(OperationOutcome.IssueType.TRANSIENT, message)) {};
			unavailable.addResponseHeader("Retry-After", "5");
			return unavailable;
		}
		String incident = UUID.randomUUID().toString();
		log.error("Incident {}: {} {} failed", incident, servletRequest.getMethod(), servletRequest.getRequestURI(), exception);
		String message = "The server could not complete the request (incident " + incident + "); the error was logged";
		return new InternalErrorException(message, Outcomes.error(OperationOutcome.IssueType.EXCEPTION, message));
	}

	/** A failure to reach the database at all, before any statement ran: nothing can have been written. */
	static boolean isDatabaseUnavailable(Throwable exception) {
		for (Throwable t : ExceptionUtils.getThrowableList(exception)) {
			if (t instanceof java.sql.SQLTransientConnectionException
					|| t instanceof org.springframework.transaction.CannotCreateTransactionException
					|| (t instanceof java.sql.SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08"))) {
				return true;
			}
		}
		return false;
	}
}
