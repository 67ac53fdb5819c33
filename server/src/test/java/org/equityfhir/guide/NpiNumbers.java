package org.equityfhir.guide;

/**
 * National Provider Identifiers as CMS defines them: nine digits and a Luhn check digit computed over
 * the number prefixed with the card issuer code 80840. Used to tell Plan-Net's placeholder NPIs
 * ("NPI323") from real-looking ones and to replace them with valid, reproducible numbers.
 */
final class NpiNumbers {

	static final String SYSTEM = "http://hl7.org/fhir/sid/us-npi";
	private static final String ISSUER_PREFIX = "80840";
	/** Real NPIs start with 1 or 2; a block nobody will mistake for a looked-up number. */
	private static final int FIRST_GENERATED = 199_900_000;

	private NpiNumbers() {}

	static boolean isValid(String npi) {
		return npi != null && npi.matches("\\d{10}") && checkDigit(npi.substring(0, 9)) == npi.charAt(9) - '0';
	}

	/** The n-th (from 1) generated NPI: the same n always gives the same number. */
	static String generated(int n) {
		if (n < 1 || n > 99_999) {
			throw new IllegalArgumentException("generated NPIs are numbered 1..99999, not " + n);
		}
		String base = Integer.toString(FIRST_GENERATED + n);
		return base + checkDigit(base);
	}

	/** Luhn over "80840" + the nine digits: double every second digit from the right, starting with the last. */
	static int checkDigit(String nineDigits) {
		String digits = ISSUER_PREFIX + nineDigits;
		int sum = 0;
		for (int i = 0; i < digits.length(); i++) {
			int digit = digits.charAt(digits.length() - 1 - i) - '0';
			if (i % 2 == 0) {
				digit *= 2;
				if (digit > 9) {
					digit -= 9;
				}
			}
			sum += digit;
		}
		return (10 - sum % 10) % 10;
	}
}
