package org.equityfhir.security;

import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.SupplierJwtDecoder;

/**
 * Tokens from an external OpenID Connect issuer (Keycloak, or any provider): its keys are found through
 * its discovery document when the first token arrives (so the server starts while the issuer is still
 * coming up), and a token must come from that issuer, be in time and name this server as audience. The
 * issuer is configured to put our claims (role, organization, fhirUser, scope) in its access tokens.
 */
final class ExternalIssuer {

	private ExternalIssuer() {}

	static JwtDecoder decoder(String issuerUri, Audience audience) {
		return new SupplierJwtDecoder(() -> {
			NimbusJwtDecoder decoder = NimbusJwtDecoder.withIssuerLocation(issuerUri).build();
			decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefaultWithIssuer(issuerUri), audience));
			return decoder;
		});
	}
}
