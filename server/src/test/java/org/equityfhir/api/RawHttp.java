package org.equityfhir.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, for requests java.net.http refuses to send: malformed URLs, escapes,
 * request lines and headers. Each request is sent as given, on its own connection, and read to the end.
 */
final class RawHttp {

	record Response(int status, Map<String, String> headers, String body) {
		String header(String name) {
			return headers.get(name.toLowerCase(Locale.ROOT));
		}
	}

	private RawHttp() {}

	static Response send(int port, String request) {
		return send(port, request.getBytes(StandardCharsets.ISO_8859_1));
	}

	static Response send(int port, byte[] request) {
		try (Socket socket = new Socket("localhost", port)) {
			socket.setSoTimeout(60_000);
			try {
				socket.getOutputStream().write(request);
				socket.getOutputStream().flush();
			} catch (SocketException e) {
				// The server may answer and stop reading before an oversize request is fully sent.
			}
			return parse(socket.getInputStream().readAllBytes());
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static Response parse(byte[] raw) {
		String text = new String(raw, StandardCharsets.ISO_8859_1);
		int end = text.indexOf("\r\n\r\n");
		if (!text.startsWith("HTTP/1.1 ") || end < 0) {
			throw new AssertionError("Not an HTTP/1.1 response: " + text.substring(0, Math.min(200, text.length())));
		}
		String[] lines = text.substring(0, end).split("\r\n");
		int status = Integer.parseInt(lines[0].split(" ")[1]);
		Map<String, String> headers = new TreeMap<>();
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
		}
		byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
		if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
			body = dechunk(body);
		}
		return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
	}

	private static byte[] dechunk(byte[] chunked) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int at = 0;
		while (true) {
			int lineEnd = indexOfCrlf(chunked, at);
			String sizeLine = new String(chunked, at, lineEnd - at, StandardCharsets.ISO_8859_1);
			int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
			if (size == 0) {
				return out.toByteArray();
			}
			out.write(chunked, lineEnd + 2, size);
			at = lineEnd + 2 + size + 2;
		}
	}

	private static int indexOfCrlf(byte[] bytes, int from) {
		for (int i = from; i < bytes.length - 1; i++) {
			if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
				return i;
			}
		}
		throw new AssertionError("Truncated chunked body");
	}
}
