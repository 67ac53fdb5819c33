package org.equityfhir.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

class RequestSizeLimitFilterTest {

	private static MockHttpServletRequest request(String method, String pathInfo) {
		MockHttpServletRequest request = new MockHttpServletRequest(method, "/fhir" + (pathInfo == null ? "" : pathInfo));
		request.setServletPath("/fhir");
		request.setPathInfo(pathInfo);
		return request;
	}

	@Test
	void onlyAPostToTheServerBaseIsATransactionOrBatch() {
		assertThat(RequestSizeLimitFilter.isTransactionOrBatch(request("POST", null))).isTrue();
		assertThat(RequestSizeLimitFilter.isTransactionOrBatch(request("POST", "/"))).isTrue();
		assertThat(RequestSizeLimitFilter.isTransactionOrBatch(request("POST", "/Bundle"))).isFalse();
		assertThat(RequestSizeLimitFilter.isTransactionOrBatch(request("POST", "/Patient/_search"))).isFalse();
		assertThat(RequestSizeLimitFilter.isTransactionOrBatch(request("PUT", null))).isFalse();
	}

	@Test
	void limitsReadAsPeopleWriteThem() {
		assertThat(RequestSizeLimitFilter.describe(64L * 1024 * 1024)).isEqualTo("64 MB");
		assertThat(RequestSizeLimitFilter.describe(512 * 1024)).isEqualTo("512 KB");
		assertThat(RequestSizeLimitFilter.describe(1000)).isEqualTo("1000 bytes");
	}
}
