package org.equityfhir.security;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Who is calling, read from the request's verified access token: the client (or signed-in user), the
 * role it acts in, the Organization it acts for, its FHIR user (a clinician's Practitioner) and its
 * scopes. A request with no token is the anonymous public-directory reader.
 */
public record Caller(String clientId, Role role, String organization, String fhirUser, List<String> scopeList) {

	/** Claim names in our tokens; an external issuer is configured to put the same claims in its tokens. */
	public static final String ROLE_CLAIM = "role";
	public static final String ORGANIZATION_CLAIM = "organization";
	public static final String FHIR_USER_CLAIM = "fhirUser";

	public static final Caller ANONYMOUS = new Caller(null, null, null, null, List.of());

	public boolean anonymous() {
		return role == null;
	}

	public AccessPolicy policy() {
		return anonymous() ? AccessPolicy.PUBLIC : AccessPolicy.of(role);
	}

	public SmartScopes scopes() {
		return SmartScopes.parse(scopeList);
	}

	/** Who this is, for the audit trail and logs: never the token itself. */
	public String describe() {
		return anonymous() ? "anonymous" : clientId + " (" + role.code() + ")";
	}

	/** The caller of the request on this thread (Spring Security verified the token before HAPI runs). */
	public static Caller current() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (authentication instanceof JwtAuthenticationToken token) {
			return fromToken(token.getToken());
		}
		return ANONYMOUS;
	}

	/** A token whose role the server does not know is treated as having no rights at all (refused). */
	static Caller fromToken(Jwt jwt) {
		Role role;
		try {
			role = Role.fromCode(String.valueOf(jwt.getClaims().get(ROLE_CLAIM)));
		} catch (IllegalArgumentException unknown) {
			role = null;
		}
		String client = firstNonNull(jwt.getClaimAsString("client_id"), jwt.getClaimAsString("azp"), jwt.getSubject());
		return new Caller(client == null ? "unknown" : client, role, jwt.getClaimAsString(ORGANIZATION_CLAIM),
				jwt.getClaimAsString(FHIR_USER_CLAIM), scopes(jwt));
	}

	private static List<String> scopes(Jwt jwt) {
		Object scope = jwt.getClaims().getOrDefault("scope", jwt.getClaims().get("scp"));
		if (scope instanceof String s) {
			return Arrays.stream(s.trim().split("\\s+")).filter(x -> !x.isEmpty()).toList();
		}
		if (scope instanceof Collection<?> c) {
			List<String> list = new ArrayList<>();
			c.forEach(x -> list.add(String.valueOf(x)));
			return list;
		}
		return List.of();
	}

	private static String firstNonNull(String... values) {
		for (String v : values) {
			if (v != null && !v.isBlank()) {
				return v;
			}
		}
		return null;
	}
}
