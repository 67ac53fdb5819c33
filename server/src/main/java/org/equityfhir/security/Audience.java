package org.equityfhir.security;

import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * A token is for this server only when its {@code aud} names this server: the configured audience, or
 * else the FHIR base URL (the public base URL when one is configured, or the one the request came to).
 */
record Audience(String configured, String publicBaseUrl) implements OAuth2TokenValidator<Jwt> {

	String expected() {
		if (configured != null && !configured.isBlank()) {
			return configured;
		}
		if (publicBaseUrl != null && !publicBaseUrl.isBlank()) {
			return publicBaseUrl.replaceAll("/+$", "");
		}
		return ServletUriComponentsBuilder.fromCurrentContextPath().path("/fhir").build().toUriString();
	}

	@Override
	public OAuth2TokenValidatorResult validate(Jwt token) {
		String expected = expected();
		if (token.getAudience() != null && token.getAudience().contains(expected)) {
			return OAuth2TokenValidatorResult.success();
		}
		return OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "the token is not for this server (aud)", null));
	}
}
