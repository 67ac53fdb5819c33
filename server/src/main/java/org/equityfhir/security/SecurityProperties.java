package org.equityfhir.security;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Who may call the server, how they prove it, and the limits every caller meets (docs/security.md). */
@ConfigurationProperties("equity.security")
public record SecurityProperties(
		/* false only for local development and the plain-engine benchmark baseline: every caller may do
		   anything, and the log says so at every start. */
		@DefaultValue("true") boolean enabled,
		/* A JSON array of clients registered (or updated) at start-up: client_id, jwks, scope, organization,
		   role (docs/security.md). */
		Path clientsFile,
		/* An external OpenID Connect issuer (Keycloak or any provider) whose tokens the API accepts instead
		   of the embedded issuer's; empty: the server issues tokens itself. */
		String issuerUri,
		/* The audience tokens must name; empty: the FHIR base URL the request was addressed to. */
		String audience,
		/* The embedded issuer's signing key, a private JWK (RSA) as JSON; empty: a key made at start-up,
		   which only this instance knows (a warning says so). Comes from the environment only. */
		String signingKey,
		/* How long an access token from the embedded issuer is valid. */
		@DefaultValue("5m") Duration tokenLifetime,
		/* Origins allowed to call the API from a browser on another site (CORS); empty: none. */
		@DefaultValue("") List<String> corsAllowedOrigins,
		/* Requests each client (or anonymous address) may make per minute, per instance; 0: unlimited. */
		@DefaultValue("0") int rateLimitPerMinute,
		/* _include and _revinclude parameters one search may carry (_include=* is always refused). */
		@DefaultValue("4") int maxIncludes,
		/* Chained references one search parameter may follow (Task?focus:ServiceRequest.performer is one). */
		@DefaultValue("2") int maxChainDepth) {}
