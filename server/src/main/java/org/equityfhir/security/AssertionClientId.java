package org.equityfhir.security;

import com.nimbusds.jwt.SignedJWT;
import jakarta.servlet.http.HttpServletRequest;
import java.util.HashMap;
import java.util.Map;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.web.authentication.AuthenticationConverter;

/**
 * SMART Backend Services clients send only the client assertion, without {@code client_id} (RFC 7523
 * makes it optional); Spring Authorization Server's own converter requires it. This one reads the client
 * from the assertion's {@code sub}, unverified: the assertion's signature, issuer and subject are then
 * verified against that client's registered keys like any other.
 */
class AssertionClientId implements AuthenticationConverter {

	static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

	@Override
	public Authentication convert(HttpServletRequest request) {
		String type = request.getParameter("client_assertion_type");
		String assertion = request.getParameter("client_assertion");
		if (!JWT_BEARER.equals(type) || assertion == null || request.getParameter("client_id") != null
				|| !"POST".equals(request.getMethod())) {
			return null;
		}
		String clientId;
		try {
			clientId = SignedJWT.parse(assertion).getJWTClaimsSet().getSubject();
		} catch (java.text.ParseException | RuntimeException e) {
			clientId = null;
		}
		if (clientId == null || clientId.isBlank()) {
			throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT,
					"the client assertion is not a signed JWT with a subject", null));
		}
		Map<String, Object> additional = new HashMap<>();
		request.getParameterMap().forEach((name, values) -> {
			if (!name.equals("client_assertion_type") && !name.equals("client_assertion") && !name.equals("client_id")) {
				additional.put(name, values.length == 1 ? values[0] : values);
			}
		});
		// The method name Spring Authorization Server gives an assertion before it knows which kind of key signed it.
		return new OAuth2ClientAuthenticationToken(clientId, new ClientAuthenticationMethod(JWT_BEARER), assertion, additional);
	}
}
