package org.equityfhir.api;

import ca.uhn.fhir.rest.server.exceptions.PayloadTooLargeException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps the bytes a FHIR request body may have, declared or chunked. It only counts bytes: HAPI still
 * reads and parses the body, and the {@link PayloadTooLargeException} thrown mid-read becomes HAPI's
 * 413 OperationOutcome.
 */
class RequestSizeLimitFilter extends OncePerRequestFilter {

	private final long maxBytes;

	RequestSizeLimitFilter(long maxBytes) {
		this.maxBytes = maxBytes;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		chain.doFilter(new LimitedRequest(request, maxBytes), response);
	}

	static PayloadTooLargeException tooLarge(long maxBytes) {
		String message = "Request body exceeds the limit of " + maxBytes + " bytes";
		return new PayloadTooLargeException(message, Outcomes.error(OperationOutcome.IssueType.TOOLONG, message));
	}

	private static final class LimitedRequest extends HttpServletRequestWrapper {
		private final long maxBytes;
		private ServletInputStream stream;

		LimitedRequest(HttpServletRequest request, long maxBytes) {
			super(request);
			this.maxBytes = maxBytes;
		}

		@Override
		public ServletInputStream getInputStream() throws IOException {
			if (getContentLengthLong() > maxBytes) {
				throw tooLarge(maxBytes);
			}
			if (stream == null) {
				stream = new LimitedStream(super.getInputStream(), maxBytes);
			}
			return stream;
		}
	}

	private static final class LimitedStream extends ServletInputStream {
		private final ServletInputStream delegate;
		private final long maxBytes;
		private long count;

		LimitedStream(ServletInputStream delegate, long maxBytes) {
			this.delegate = delegate;
			this.maxBytes = maxBytes;
		}

		@Override
		public int read() throws IOException {
			int b = delegate.read();
			if (b >= 0) {
				count(1);
			}
			return b;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			int n = delegate.read(buffer, offset, length);
			if (n > 0) {
				count(n);
			}
			return n;
		}

		private void count(int n) {
			count += n;
			if (count > maxBytes) {
				throw tooLarge(maxBytes);
			}
		}

		@Override
		public boolean isFinished() {
			return delegate.isFinished();
		}

		@Override
		public boolean isReady() {
			return delegate.isReady();
		}

		@Override
		public void setReadListener(ReadListener listener) {
			delegate.setReadListener(listener);
		}
	}
}
