package org.equityfhir.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PayloadTooLargeException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class TransactionBodyInterceptorTest {

	private static final FhirContext FHIR = FhirContext.forR4Cached();
	private static final RestfulServer SERVER = new RestfulServer(FHIR);

	private static String transaction(int patients) {
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		for (int i = 0; i < patients; i++) {
			tx.addEntry().setResource(new Patient().addName(new org.hl7.fhir.r4.model.HumanName().setFamily("P" + i)))
					.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
		}
		return FHIR.newJsonParser().encodeResourceToString(tx);
	}

	private static ServletRequestDetails details(HttpServletRequest servletRequest, RestOperationTypeEnum operation) {
		ServletRequestDetails details = new ServletRequestDetails();
		details.setServer(SERVER);
		details.setServletRequest(servletRequest);
		details.setRequestType(RequestTypeEnum.POST);
		details.setRestOperationType(operation);
		return details;
	}

	private static MockHttpServletRequest post(String body) {
		return post(body, new MockHttpServletRequest("POST", "/fhir"));
	}

	private static MockHttpServletRequest post(String body, MockHttpServletRequest request) {
		request.setServletPath("/fhir");
		request.setContentType("application/fhir+json");
		request.setContent(body.getBytes(StandardCharsets.UTF_8));
		return request;
	}

	/** The request as the FHIR servlet receives it: behind the size limit. */
	private static HttpServletRequest limited(MockHttpServletRequest request, long maxRequest, long maxBundle) throws Exception {
		AtomicReference<HttpServletRequest> passedOn = new AtomicReference<>();
		new RequestSizeLimitFilter(maxRequest, maxBundle)
				.doFilter(request, new MockHttpServletResponse(), (req, res) -> passedOn.set((HttpServletRequest) req));
		return passedOn.get();
	}

	@Test
	void transactionIsParsedFromTheStreamWithoutLoadingTheBodyIntoMemory() {
		ServletRequestDetails details = details(post(transaction(3)), RestOperationTypeEnum.TRANSACTION);

		new TransactionBodyInterceptor().parseFromStream(details);

		assertThat(details.getResource()).isInstanceOfSatisfying(Bundle.class, b -> assertThat(b.getEntry()).hasSize(3));
		assertThat(details.getRequestContentsIfLoaded()).isNull();
	}

	@Test
	void otherOperationsAreLeftToHapi() {
		ServletRequestDetails details = details(post("{\"resourceType\":\"Patient\"}"), RestOperationTypeEnum.CREATE);

		new TransactionBodyInterceptor().parseFromStream(details);

		assertThat(details.getResource()).isNull();
	}

	@Test
	void bundleLimitStillAppliesWhileParsing() throws Exception {
		String body = transaction(50);
		// Chunked: no declared length, so the limit is only found while the parser reads.
		MockHttpServletRequest request = post(body, new MockHttpServletRequest("POST", "/fhir") {
			@Override
			public long getContentLengthLong() {
				return -1;
			}
		});
		ServletRequestDetails details = details(limited(request, 10, body.length() / 2), RestOperationTypeEnum.TRANSACTION);

		assertThatThrownBy(() -> new TransactionBodyInterceptor().parseFromStream(details))
				.isInstanceOf(PayloadTooLargeException.class)
				.hasMessageContaining("transaction or batch");
	}

	@Test
	void unparseableBundleIsABadRequest() {
		ServletRequestDetails details = details(post("{\"resourceType\":\"Bundle\",\"type\":"), RestOperationTypeEnum.TRANSACTION);

		assertThatThrownBy(() -> new TransactionBodyInterceptor().parseFromStream(details))
				.isInstanceOf(InvalidRequestException.class)
				.hasMessageContaining("not a FHIR JSON Bundle");
	}
}
