package org.equityfhir.security;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoderFactory;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContextHolder;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The embedded token issuer's parts that Spring Authorization Server asks us for: the registered
 * clients (from {@link ClientRegistry}, plus the web pages' public client), how a client assertion is
 * verified (SMART Backend Services: RS384 or ES384, signed by a key of the client's JWKS, never used
 * twice), and what our access tokens say (role, organization, fhirUser, audience).
 */
class EmbeddedIssuer implements RegisteredClientRepository {

	private static final Logger LOG = LoggerFactory.getLogger(EmbeddedIssuer.class);

	/** The public client the web pages sign their users in with (authorization code with PKCE). */
	static final String WEB_CLIENT = "equity-web";
	/** The pages a signed-in user may return to, on the server the user signed in at. */
	static final List<String> WEB_PAGES = List.of("/inbox/", "/attest/", "/equity/");
	static final String WEB_SCOPE = "user/*.cruds";
	/** SMART Backend Services: a client assertion lives at most five minutes. */
	static final Duration MAX_ASSERTION_LIFETIME = Duration.ofMinutes(5);
	static final Set<JWSAlgorithm> ASSERTION_ALGORITHMS = Set.of(JWSAlgorithm.RS384, JWSAlgorithm.ES384);

	private final ClientRegistry registry;
	private final SecurityProperties properties;
	private final RSAKey signingKey;

	EmbeddedIssuer(ClientRegistry registry, SecurityProperties properties) {
		this.registry = registry;
		this.properties = properties;
		this.signingKey = signingKey(properties.signingKey(), registry);
	}

	private static RSAKey signingKey(String configured, ClientRegistry registry) {
		try {
			if (configured != null && !configured.isBlank()) {
				JWK jwk = JWK.parse(configured);
				if (!(jwk instanceof RSAKey rsa) || !rsa.isPrivate()) {
					throw new IllegalArgumentException("equity.security.signing-key must be a private RSA JWK");
				}
				return rsa;
			}
			LOG.warn("equity.security.signing-key is not set: tokens are signed with a key the first instance made and "
					+ "stored in the database, shared by every instance. Set EQUITY_SECURITY_SIGNING_KEY to keep the private "
					+ "key out of the database.");
			return RSAKey.parse(registry.sharedKey("token-signing", EmbeddedIssuer::newKey));
		} catch (java.text.ParseException e) {
			throw new IllegalArgumentException("equity.security.signing-key is not a JWK: " + e.getMessage());
		}
	}

	private static String newKey() {
		try {
			return new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).keyID(UUID.randomUUID().toString()).generate().toJSONString();
		} catch (com.nimbusds.jose.JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	JWKSource<SecurityContext> jwkSource() {
		return new ImmutableJWKSet<>(new JWKSet(signingKey));
	}

	/** Verifies the embedded issuer's own access tokens: RS256 with our key, in time, for this server. */
	JwtDecoder accessTokenDecoder(OAuth2TokenValidator<Jwt> audience) {
		try {
			NimbusJwtDecoder decoder = NimbusJwtDecoder.withPublicKey(signingKey.toRSAPublicKey())
					.signatureAlgorithm(SignatureAlgorithm.RS256).build();
			decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(new JwtTimestampValidator(), audience));
			return decoder;
		} catch (com.nimbusds.jose.JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	// ---- registered clients ----

	@Override
	public void save(RegisteredClient registeredClient) {
		throw new UnsupportedOperationException("clients are registered through the clients file or the admin API");
	}

	@Override
	public RegisteredClient findById(String id) {
		return findByClientId(id);
	}

	@Override
	public RegisteredClient findByClientId(String clientId) {
		if (WEB_CLIENT.equals(clientId)) {
			return webClient();
		}
		return registry.client(clientId).map(this::backendClient).orElse(null);
	}

	private RegisteredClient backendClient(ClientRegistry.Client client) {
		return RegisteredClient.withId(client.clientId())
				.clientId(client.clientId())
				.clientAuthenticationMethod(ClientAuthenticationMethod.PRIVATE_KEY_JWT)
				.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
				.scopes(s -> s.addAll(split(client.scope())))
				.clientSettings(ClientSettings.builder()
						.tokenEndpointAuthenticationSigningAlgorithm(SignatureAlgorithm.RS384)
						.build())
				.tokenSettings(TokenSettings.builder().accessTokenTimeToLive(properties.tokenLifetime()).build())
				.build();
	}

	private RegisteredClient webClient() {
		String origin = ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString();
		return RegisteredClient.withId(WEB_CLIENT)
				.clientId(WEB_CLIENT)
				.clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
				.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
				.redirectUris(uris -> WEB_PAGES.forEach(page -> uris.add(origin + page)))
				.scope(WEB_SCOPE)
				.clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false).build())
				.tokenSettings(TokenSettings.builder().accessTokenTimeToLive(properties.tokenLifetime().plus(Duration.ofMinutes(25))).build())
				.build();
	}

	static List<String> split(String scope) {
		return scope == null ? List.of() : Arrays.stream(scope.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
	}

	/**
	 * A client may ask for any scope its registration covers (SMART clients ask for the narrow scopes they
	 * need, e.g. system/Task.rs under a registered system/*.cruds); anything else is invalid_scope.
	 */
	static void checkRequestedScopes(org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationContext context) {
		Set<String> registered = context.getRegisteredClient().getScopes();
		org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationToken request = context.getAuthentication();
		for (String scope : request.getScopes()) {
			if (!SmartScopes.covers(registered, scope)) {
				throw new org.springframework.security.oauth2.core.OAuth2AuthenticationException(new OAuth2Error("invalid_scope",
						"scope " + scope + " is not within this client's registered scopes", null));
			}
		}
	}

	// ---- client assertions ----

	/** How Spring Authorization Server verifies a client's assertion: see the class comment. */
	JwtDecoderFactory<RegisteredClient> assertionDecoders() {
		return client -> {
			ClientRegistry.Client registered = registry.client(client.getClientId())
					.orElseThrow(() -> new IllegalStateException("client vanished: " + client.getClientId()));
			try {
				DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
				processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ASSERTION_ALGORITHMS,
						new ImmutableJWKSet<>(JWKSet.parse(registered.jwks()))));
				processor.setJWTClaimsSetVerifier((claims, context) -> {});
				NimbusJwtDecoder decoder = new NimbusJwtDecoder(processor);
				decoder.setJwtValidator(assertionValidator(client.getClientId()));
				return decoder;
			} catch (java.text.ParseException e) {
				throw new IllegalStateException("stored jwks of " + client.getClientId() + " unreadable", e);
			}
		};
	}

	private OAuth2TokenValidator<Jwt> assertionValidator(String clientId) {
		return jwt -> {
			List<OAuth2Error> errors = new ArrayList<>();
			if (!clientId.equals(jwt.getClaimAsString("iss")) || !clientId.equals(jwt.getSubject())) {
				errors.add(invalid("iss and sub must both be the client_id"));
			}
			String tokenEndpoint = AuthorizationServerContextHolder.getContext().getIssuer()
					+ AuthorizationServerContextHolder.getContext().getAuthorizationServerSettings().getTokenEndpoint();
			if (jwt.getAudience() == null || !jwt.getAudience().contains(tokenEndpoint)) {
				errors.add(invalid("aud must be the token endpoint, " + tokenEndpoint));
			}
			Instant now = Instant.now();
			Instant exp = jwt.getExpiresAt();
			if (exp == null || exp.isBefore(now.minusSeconds(30))) {
				errors.add(invalid("the assertion has expired"));
			} else if (exp.isAfter(now.plus(MAX_ASSERTION_LIFETIME).plusSeconds(30))) {
				errors.add(invalid("exp may be at most five minutes away"));
			}
			if (jwt.getNotBefore() != null && jwt.getNotBefore().isAfter(now.plusSeconds(30))) {
				errors.add(invalid("the assertion is not valid yet"));
			}
			String jti = jwt.getId();
			if (jti == null || jti.isBlank()) {
				errors.add(invalid("jti is required"));
			} else if (errors.isEmpty() && !registry.firstUse(clientId, jti, exp)) {
				errors.add(invalid("this assertion (jti) was already used"));
			}
			return errors.isEmpty() ? OAuth2TokenValidatorResult.success() : OAuth2TokenValidatorResult.failure(errors);
		};
	}

	private static OAuth2Error invalid(String why) {
		return new OAuth2Error("invalid_client", why, null);
	}

	// ---- what our access tokens say ----

	OAuth2TokenCustomizer<JwtEncodingContext> accessTokenClaims() {
		return context -> {
			if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
				return;
			}
			String clientId = context.getRegisteredClient().getClientId();
			Role role;
			String organization;
			String fhirUser;
			Set<String> scopes = new LinkedHashSet<>(context.getAuthorizedScopes());
			if (WEB_CLIENT.equals(clientId)) {
				ClientRegistry.User user = registry.user(context.getPrincipal().getName()).orElseThrow();
				role = user.role();
				organization = user.organization();
				fhirUser = user.fhirUser();
				scopes = new LinkedHashSet<>(split(user.scope()));
				context.getClaims().subject(user.username());
			} else {
				ClientRegistry.Client client = registry.client(clientId).orElseThrow();
				role = client.role();
				organization = client.organization();
				fhirUser = client.fhirUser();
			}
			context.getClaims()
					.audience(List.of(audience()))
					.claim("client_id", clientId)
					.claim("scope", String.join(" ", scopes))
					.claim(Caller.ROLE_CLAIM, role.code());
			if (organization != null) {
				context.getClaims().claim(Caller.ORGANIZATION_CLAIM, organization);
			}
			if (fhirUser != null) {
				context.getClaims().claim(Caller.FHIR_USER_CLAIM, fhirUser);
			}
		};
	}

	/** The audience our tokens name: the configured one, or this server's FHIR base URL. */
	String audience() {
		if (properties.audience() != null && !properties.audience().isBlank()) {
			return properties.audience();
		}
		return AuthorizationServerContextHolder.getContext().getIssuer() + "/fhir";
	}
}
