package org.equityfhir.api;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PayloadTooLargeException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Caps the bytes a FHIR request body may have, declared or chunked: transaction and batch Bundles
 * (POST to the server base) up to one limit, every other request up to a tighter one. It only counts
 * bytes: HAPI (or {@link TransactionBodyInterceptor}) still reads and parses the body, and the
 * {@link PayloadTooLargeException} thrown mid-read becomes HAPI's 413 OperationOutcome.
 *
 * <p>A gzip body ({@code Content-Encoding: gzip}) is inflated here, and the limit applies to the inflated
 * bytes; HAPI would otherwise inflate it into memory with no limit at all (a few MB of gzip can inflate to
 * gigabytes).
 */
class RequestSizeLimitFilter extends OncePerRequestFilter {

	private static final String CONTENT_ENCODING = "Content-Encoding";

	private final long maxRequestBytes;
	private final long maxBundleBytes;

	RequestSizeLimitFilter(long maxRequestBytes, long maxBundleBytes) {
		this.maxRequestBytes = maxRequestBytes;
		this.maxBundleBytes = maxBundleBytes;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		boolean bundle = isTransactionOrBatch(request);
		String refusal = bundle
				? "The Bundle is larger than the limit of " + describe(maxBundleBytes)
						+ " for a transaction or batch: split it into several Bundles"
				: "The request body is larger than the limit of " + describe(maxRequestBytes)
						+ " (transaction and batch Bundles posted to the server base may have up to "
						+ describe(maxBundleBytes) + ")";
		chain.doFilter(new LimitedRequest(request, bundle ? maxBundleBytes : maxRequestBytes, refusal), response);
	}

	/** A POST to the server base itself ({@code /fhir} or {@code /fhir/}) is how FHIR sends a transaction or batch. */
	static boolean isTransactionOrBatch(HttpServletRequest request) {
		String path = request.getPathInfo();
		return "POST".equals(request.getMethod()) && (path == null || path.equals("/"));
	}

	static String describe(long bytes) {
		long mb = 1024 * 1024;
		if (bytes % mb == 0) {
			return bytes / mb + " MB";
		}
		if (bytes % 1024 == 0) {
			return bytes / 1024 + " KB";
		}
		return bytes + " bytes";
	}

	private static PayloadTooLargeException tooLarge(String message) {
		return new PayloadTooLargeException(message, Outcomes.error(OperationOutcome.IssueType.TOOLONG, message));
	}

	private static final class LimitedRequest extends HttpServletRequestWrapper {
		private final long maxBytes;
		private final String refusal;
		private final boolean gzip;
		private ServletInputStream stream;

		LimitedRequest(HttpServletRequest request, long maxBytes, String refusal) {
			super(request);
			this.maxBytes = maxBytes;
			this.refusal = refusal;
			String encoding = request.getHeader(CONTENT_ENCODING);
			this.gzip = encoding != null && encoding.trim().equalsIgnoreCase("gzip");
		}

		@Override
		public ServletInputStream getInputStream() throws IOException {
			if (getContentLengthLong() > maxBytes) {
				throw tooLarge(refusal);
			}
			if (stream == null) {
				stream = new LimitedStream(super.getInputStream(), gzip, maxBytes, refusal);
			}
			return stream;
		}

		// Once inflated here, the body must not look compressed to HAPI, or it would inflate it again.
		@Override
		public String getHeader(String name) {
			return gzip && CONTENT_ENCODING.equalsIgnoreCase(name) ? null : super.getHeader(name);
		}

		@Override
		public Enumeration<String> getHeaders(String name) {
			return gzip && CONTENT_ENCODING.equalsIgnoreCase(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
		}

		@Override
		public Enumeration<String> getHeaderNames() {
			if (!gzip) {
				return super.getHeaderNames();
			}
			List<String> names = Collections.list(super.getHeaderNames());
			names.removeIf(CONTENT_ENCODING::equalsIgnoreCase);
			return Collections.enumeration(names);
		}
	}

	private static final class LimitedStream extends ServletInputStream {
		private final ServletInputStream raw;
		private final boolean gzip;
		private final long maxBytes;
		private final String refusal;
		private InputStream source;
		private long count;

		LimitedStream(ServletInputStream raw, boolean gzip, long maxBytes, String refusal) {
			this.raw = raw;
			this.gzip = gzip;
			this.maxBytes = maxBytes;
			this.refusal = refusal;
		}

		@Override
		public int read() throws IOException {
			int b;
			try {
				b = source().read();
			} catch (ZipException | EOFException e) {
				throw asClientError(e);
			}
			if (b >= 0) {
				count(1);
			}
			return b;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			int n;
			try {
				n = source().read(buffer, offset, length);
			} catch (ZipException | EOFException e) {
				throw asClientError(e);
			}
			if (n > 0) {
				count(n);
			}
			return n;
		}

		private void count(int n) {
			count += n;
			if (count > maxBytes) {
				throw tooLarge(refusal);
			}
		}

		/** A broken gzip body is the client's error (400); any other read failure stays what it is. */
		private IOException asClientError(IOException e) {
			if (gzip) {
				String message = "The body is declared as gzip (Content-Encoding: gzip) but is not complete, valid gzip";
				throw new InvalidRequestException(message, Outcomes.error(OperationOutcome.IssueType.INVALID, message));
			}
			return e;
		}

		// Created on first read, so that a body that is not gzip is reported as a client error while reading.
		private InputStream source() throws IOException {
			if (source == null) {
				source = gzip ? new GZIPInputStream(raw, 64 * 1024) : raw;
			}
			return source;
		}

		@Override
		public boolean isFinished() {
			return raw.isFinished();
		}

		@Override
		public boolean isReady() {
			return raw.isReady();
		}

		@Override
		public void setReadListener(ReadListener listener) {
			raw.setReadListener(listener);
		}
	}
}
