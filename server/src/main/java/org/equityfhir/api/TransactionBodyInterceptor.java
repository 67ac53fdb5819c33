package org.equityfhir.api;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.method.ResourceParameter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import org.apache.commons.lang3.exception.ExceptionUtils;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Parses a transaction or batch Bundle straight from the request stream. Left to itself, HAPI first reads
 * the whole body into a byte array, keeps that array for the rest of the request, and parses from it; a
 * Bundle handed to it already parsed ({@link RequestDetails#setResource}) is used as is. For a real
 * patient history (tens of MB) that is one copy of the body fewer, held for the whole transaction.
 * Parsing is HAPI's own parser with the same options, so the result and the errors are the same.
 */
class TransactionBodyInterceptor {

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
	public boolean parseFromStream(RequestDetails request) {
		if (request.getRestOperationType() != RestOperationTypeEnum.TRANSACTION
				|| request.getResource() != null
				|| request.getRequestContentsIfLoaded() != null) {
			return true;
		}
		EncodingEnum encoding = RestfulServerUtils.determineRequestEncodingNoDefault(request);
		if (encoding == null) {
			// Not FHIR JSON or XML: HAPI's own path explains what is wrong with the Content-Type.
			return true;
		}
		FhirContext fhirContext = request.getFhirContext();
		IParser parser = encoding.newParser(fhirContext);
		parser.setServerBaseUrl(request.getFhirServerBase());
		Class<? extends IBaseResource> bundleType = fhirContext.getResourceDefinition("Bundle").getImplementingClass();
		try (Reader body = new InputStreamReader(request.getInputStream(), ResourceParameter.determineRequestCharset(request))) {
			request.setResource(parser.parseResource(bundleType, body));
		} catch (IOException e) {
			throw invalid("The request body could not be read to its end");
		} catch (RuntimeException e) {
			// The size limit and a broken gzip body surface inside the parser; they keep their own answer.
			BaseServerResponseException answer = ExceptionUtils.throwableOfType(e, BaseServerResponseException.class);
			if (answer != null) {
				throw answer;
			}
			if (e instanceof DataFormatException) {
				throw invalid("The body is not a FHIR " + encoding.name() + " Bundle: " + e.getMessage());
			}
			throw e;
		}
		return true;
	}

	private static InvalidRequestException invalid(String message) {
		return new InvalidRequestException(message, Outcomes.error(OperationOutcome.IssueType.STRUCTURE, message));
	}
}
