package org.equityfhir.api;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Checks the percent-escapes of a raw query string as FHIR reads them (RFC 3986, UTF-8), before
 * anything decodes it: a decoder would throw on {@code %zz} and silently turn {@code %e9} into U+FFFD.
 */
final class PercentEscapes {

	static final String MALFORMED_IN_URL = malformedIn("URL");
	static final String MALFORMED_IN_FORM = malformedIn("form body");
	static final String NOT_UTF8 =
			"The URL has percent-escapes that are not UTF-8: FHIR URLs are UTF-8 (for example 'é' is %C3%A9, not %E9)";

	private PercentEscapes() {}

	private static String malformedIn(String where) {
		return "The " + where + " has a malformed percent-escape: '%' must be followed by two hexadecimal digits"
				+ " (send a literal '%' as %25)";
	}

	/** What is wrong with the query string, as a sentence for the client; null when nothing is. */
	static String problem(String rawQuery) {
		if (rawQuery == null || rawQuery.indexOf('%') < 0) {
			return null;
		}
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(rawQuery.length());
		for (int i = 0; i < rawQuery.length(); i++) {
			char c = rawQuery.charAt(i);
			if (c == '%') {
				int high = i + 1 < rawQuery.length() ? Character.digit(rawQuery.charAt(i + 1), 16) : -1;
				int low = i + 2 < rawQuery.length() ? Character.digit(rawQuery.charAt(i + 2), 16) : -1;
				if (high < 0 || low < 0) {
					return MALFORMED_IN_URL;
				}
				bytes.write(high * 16 + low);
				i += 2;
			} else if (c < 0x80) {
				bytes.write(c);
			} else {
				int codePoint = rawQuery.codePointAt(i);
				bytes.writeBytes(Character.toString(codePoint).getBytes(StandardCharsets.UTF_8));
				i += Character.charCount(codePoint) - 1;
			}
		}
		String decoded;
		try {
			decoded = StandardCharsets.UTF_8.newDecoder()
					.onMalformedInput(CodingErrorAction.REPORT)
					.onUnmappableCharacter(CodingErrorAction.REPORT)
					.decode(ByteBuffer.wrap(bytes.toByteArray()))
					.toString();
		} catch (CharacterCodingException e) {
			return NOT_UTF8;
		}
		int control = firstControlCharacter(decoded);
		return control < 0 ? null : String.format(
				"The URL contains the control character U+%04X, which FHIR strings cannot contain", control);
	}

	/** FHIR strings hold no character below U+0020 other than tab, carriage return and line feed. */
	static int firstControlCharacter(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
				return c;
			}
		}
		return -1;
	}

	/** True when a URL or form decoder failed on a malformed escape somewhere in this exception's causes. */
	static boolean isDecodingFailure(Throwable exception) {
		for (Throwable t = exception; t != null; t = t.getCause()) {
			if (t instanceof IllegalArgumentException && t.getStackTrace().length > 0
					&& t.getStackTrace()[0].getClassName().equals("java.net.URLDecoder")) {
				return true;
			}
		}
		return false;
	}
}
