package org.equityfhir.security;

import ca.uhn.fhir.context.FhirContext;
import java.util.List;
import javax.sql.DataSource;
import org.equityfhir.api.FhirServerProperties;
import org.equityfhir.storage.ClusterLock;
import org.equityfhir.storage.DatabaseProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientCredentialsAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configurers.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.header.writers.StaticHeadersWriter;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * The security capability, registered here and nowhere else: who may call (Spring Security verifies
 * bearer tokens before a request reaches the FHIR API; the embedded issuer, Spring Authorization
 * Server, issues them unless an external issuer is configured), and what each caller may do (the
 * authorization interceptor, registered on the RestfulServer ahead of every other capability's
 * interceptors, see SecurityRestConfig).
 */
@Configuration
@EnableConfigurationProperties(SecurityProperties.class)
public class SecurityConfig {

	private static final Logger LOG = LoggerFactory.getLogger(SecurityConfig.class);

	/** Security headers on every page: no framing, no content from elsewhere, HSTS behind TLS. */
	static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
			+ "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'";

	@Bean
	ClientRegistry clientRegistry(DataSource dataSource, ClusterLock lock, SecurityProperties properties, DatabaseProperties db) {
		ClientRegistry registry = new ClientRegistry(new JdbcTemplate(dataSource));
		lock.runExclusively("security-schema", () -> {
			registry.createSchema();
			createAuthorizationTable(new JdbcTemplate(dataSource), db);
			createSessionTables(dataSource, db);
			if (properties.clientsFile() != null) {
				List<ClientRegistry.Client> clients = registry.readClientsFile(properties.clientsFile());
				clients.forEach(registry::save);
				LOG.info("Registered {} clients from {}", clients.size(), properties.clientsFile());
			}
		});
		if (!properties.enabled()) {
			LOG.warn("SECURITY IS OFF (equity.security.enabled=false): every caller may read and change everything, "
					+ "without a token and without an audit trail. Only for local development and the plain-engine benchmark.");
		}
		return registry;
	}

	/**
	 * Spring Authorization Server's authorization table, in each database's own types: text on PostgreSQL
	 * (as its documentation asks), clob on H2. Both are read and written as strings, which matters because
	 * that library detects the column types once per JVM, from whichever database it meets first.
	 */
	private static void createAuthorizationTable(JdbcTemplate jdbc, DatabaseProperties db) {
		boolean postgres = db.kind().name().equals("POSTGRESQL");
		String lob = postgres ? "text" : "clob";
		String ts = postgres ? "timestamptz" : "timestamp";
		StringBuilder ddl = new StringBuilder("CREATE TABLE IF NOT EXISTS oauth2_authorization (id varchar(100) NOT NULL, "
				+ "registered_client_id varchar(100) NOT NULL, principal_name varchar(200) NOT NULL, "
				+ "authorization_grant_type varchar(100) NOT NULL, authorized_scopes varchar(1000) DEFAULT NULL, "
				+ "attributes " + lob + " DEFAULT NULL, state varchar(500) DEFAULT NULL, ");
		for (String token : List.of("authorization_code", "access_token", "oidc_id_token", "refresh_token", "user_code", "device_code")) {
			ddl.append(token).append("_value ").append(lob).append(" DEFAULT NULL, ")
					.append(token).append("_issued_at ").append(ts).append(" DEFAULT NULL, ")
					.append(token).append("_expires_at ").append(ts).append(" DEFAULT NULL, ")
					.append(token).append("_metadata ").append(lob).append(" DEFAULT NULL, ");
			if (token.equals("access_token")) {
				ddl.append("access_token_type varchar(100) DEFAULT NULL, access_token_scopes varchar(1000) DEFAULT NULL, ");
			}
		}
		ddl.append("PRIMARY KEY (id))");
		jdbc.execute(ddl.toString());
	}

	/**
	 * Spring Session's tables (the sign-in form's HTTP session, so a sign-in begun on one instance finishes on
	 * any), from the schema script Spring Session ships, created once.
	 */
	private static void createSessionTables(DataSource dataSource, DatabaseProperties db) {
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		Integer present = jdbc.queryForObject(
				"SELECT count(*) FROM information_schema.tables WHERE upper(table_name) = 'SPRING_SESSION'", Integer.class);
		if (present != null && present > 0) {
			return;
		}
		String script = "org/springframework/session/jdbc/schema-"
				+ (db.kind().name().equals("POSTGRESQL") ? "postgresql" : "h2") + ".sql";
		org.springframework.jdbc.datasource.init.ResourceDatabasePopulator populator =
				new org.springframework.jdbc.datasource.init.ResourceDatabasePopulator(
						new org.springframework.core.io.ClassPathResource(script));
		populator.execute(dataSource);
	}

	/** Sign-in for the web pages (authorization code with PKCE), shared by every signed-in page. */
	@Bean
	org.equityfhir.platform.StaticPage signInScript() {
		return new org.equityfhir.platform.StaticPage("/signin", "classpath:/org/equityfhir/security/signin/");
	}

	@Bean
	EmbeddedIssuer embeddedIssuer(ClientRegistry registry, SecurityProperties properties) {
		return new EmbeddedIssuer(registry, properties);
	}

	/**
	 * Spring Security's firewall, as strict as its default except that any HTTP method reaches the API:
	 * FHIR answers an unknown one itself (405 with an OperationOutcome).
	 */
	@Bean
	org.springframework.security.web.firewall.HttpFirewall httpFirewall() {
		org.springframework.security.web.firewall.StrictHttpFirewall firewall = new org.springframework.security.web.firewall.StrictHttpFirewall();
		firewall.setUnsafeAllowAnyHttpMethod(true);
		return firewall;
	}

	@Bean
	PasswordEncoder passwordEncoder() {
		return PasswordEncoderFactories.createDelegatingPasswordEncoder();
	}

	@Bean
	UserDetailsService users(ClientRegistry registry) {
		return username -> registry.user(username)
				.map(u -> org.springframework.security.core.userdetails.User.withUsername(u.username())
						.password(u.passwordHash()).roles(u.role().code()).build())
				.orElseThrow(() -> new UsernameNotFoundException("no such user"));
	}

	@Bean
	AuthorizationServerSettings authorizationServerSettings() {
		return AuthorizationServerSettings.builder().build();
	}

	@Bean
	com.nimbusds.jose.jwk.source.JWKSource<com.nimbusds.jose.proc.SecurityContext> jwkSource(EmbeddedIssuer issuer) {
		return issuer.jwkSource();
	}

	@Bean
	OAuth2TokenCustomizer<JwtEncodingContext> accessTokenClaims(EmbeddedIssuer issuer) {
		return issuer.accessTokenClaims();
	}

	/**
	 * Authorizations are kept in the database, so a sign-in started on one instance finishes on another.
	 * A client-credentials token needs nothing kept: it is self-contained and never looked up.
	 */
	@Bean
	OAuth2AuthorizationService authorizationService(DataSource dataSource, EmbeddedIssuer issuer, ClientRegistry registry) {
		return new DatabaseAuthorizations(new JdbcOAuth2AuthorizationService(new JdbcTemplate(dataSource), issuer));
	}

	@Bean
	JwtDecoder jwtDecoder(SecurityProperties properties, EmbeddedIssuer issuer, FhirServerProperties server) {
		Audience audience = new Audience(properties.audience(), server.publicBaseUrl());
		if (properties.issuerUri() != null && !properties.issuerUri().isBlank()) {
			return ExternalIssuer.decoder(properties.issuerUri(), audience);
		}
		return issuer.accessTokenDecoder(audience);
	}

	/** The embedded issuer's endpoints (token, authorize, JWKS, metadata), unless an external issuer is configured. */
	@Bean
	@Order(1)
	SecurityFilterChain issuerEndpoints(HttpSecurity http, SecurityProperties properties, EmbeddedIssuer issuer,
			OAuth2AuthorizationService authorizations) throws Exception {
		OAuth2AuthorizationServerConfigurer server = OAuth2AuthorizationServerConfigurer.authorizationServer();
		boolean embedded = properties.enabled() && (properties.issuerUri() == null || properties.issuerUri().isBlank());
		if (!embedded) {
			// Nothing of the embedded issuer answers: its paths fall through to the other chains (404).
			return http.securityMatcher(request -> request.getRequestURI().startsWith(request.getContextPath() + "/oauth2/"))
					.authorizeHttpRequests(a -> a.anyRequest().denyAll()).build();
		}
		http.securityMatcher(server.getEndpointsMatcher())
				.with(server, s -> s.registeredClientRepository(issuer)
						.authorizationService(authorizations)
						.tokenEndpoint(t -> t.authenticationProviders(providers -> providers.forEach(p -> {
							if (p instanceof OAuth2ClientCredentialsAuthenticationProvider credentials) {
								credentials.setAuthenticationValidator(EmbeddedIssuer::checkRequestedScopes);
							}
						})))
						.clientAuthentication(c -> c.authenticationConverters(converters -> converters.add(0, new AssertionClientId()))
								.authenticationProviders(providers -> providers.forEach(p -> {
							if (p instanceof JwtClientAssertionAuthenticationProvider assertions) {
								assertions.setJwtDecoderFactory(issuer.assertionDecoders());
							}
						}))))
				.authorizeHttpRequests(a -> a.anyRequest().authenticated())
				.headers(h -> h.addHeaderWriter(new StaticHeadersWriter("Content-Security-Policy", CONTENT_SECURITY_POLICY)))
				.exceptionHandling(e -> e.defaultAuthenticationEntryPointFor(
						new LoginUrlAuthenticationEntryPoint("/login"), new MediaTypeRequestMatcher(MediaType.TEXT_HTML)));
		return http.build();
	}

	/**
	 * The FHIR API and the admin API: bearer tokens only (no session, no cookie, so no CSRF to forge).
	 * A request without a token goes on as the anonymous public-directory reader; what each caller may
	 * do is decided inside the FHIR API by the authorization interceptor. A token that fails verification
	 * is refused here, with 401 and a FHIR OperationOutcome.
	 */
	@Bean
	@Order(2)
	SecurityFilterChain api(HttpSecurity http, SecurityProperties properties, FhirContext fhirContext, AuditTrail audit)
			throws Exception {
		// Matched on the raw path: /fhir is HAPI's servlet, not Spring MVC's, so MVC path matching does not apply.
		http.securityMatcher(request -> {
					String path = request.getRequestURI().substring(request.getContextPath().length());
					return path.equals("/fhir") || path.startsWith("/fhir/") || path.startsWith("/admin/");
				})
				.sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
				.csrf(c -> c.disable())
				.requestCache(c -> c.disable())
				.cors(c -> c.configurationSource(cors(properties)));
		if (!properties.enabled()) {
			return http.authorizeHttpRequests(a -> a.anyRequest().permitAll()).build();
		}
		RefusalResponses refusals = new RefusalResponses(fhirContext, audit);
		http.oauth2ResourceServer(r -> r.jwt(Customizer.withDefaults())
						.authenticationEntryPoint(refusals)
						.accessDeniedHandler(refusals))
				.exceptionHandling(e -> e.authenticationEntryPoint(refusals).accessDeniedHandler(refusals))
				.authorizeHttpRequests(a -> a
						.requestMatchers(request -> request.getRequestURI().startsWith(request.getContextPath() + "/admin/")).access((authentication, request) ->
								new org.springframework.security.authorization.AuthorizationDecision(
										!Caller.current().anonymous() && Caller.current().role() == Role.ADMIN))
						.anyRequest().permitAll());
		return http.build();
	}

	/** Web pages and sign-in: a session for the sign-in only, CSRF on every form, strict headers. */
	@Bean
	@Order(3)
	SecurityFilterChain pages(HttpSecurity http, SecurityProperties properties) throws Exception {
		http.headers(h -> h
						.addHeaderWriter(new StaticHeadersWriter("Content-Security-Policy", CONTENT_SECURITY_POLICY))
						.referrerPolicy(r -> r.policy(
								org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER)))
				.authorizeHttpRequests(a -> a.anyRequest().permitAll());
		if (properties.enabled()) {
			http.formLogin(Customizer.withDefaults());
		}
		return http.build();
	}

	static UrlBasedCorsConfigurationSource cors(SecurityProperties properties) {
		UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
		if (!properties.corsAllowedOrigins().isEmpty()) {
			CorsConfiguration cors = new CorsConfiguration();
			cors.setAllowedOrigins(properties.corsAllowedOrigins());
			cors.setAllowedMethods(List.of("GET", "POST", "PUT", "PATCH", "DELETE"));
			cors.setAllowedHeaders(List.of("Authorization", "Content-Type", "Accept", "If-Match", "If-None-Exist", "Prefer"));
			cors.setExposedHeaders(List.of("Location", "ETag", "Content-Location", "Last-Modified"));
			source.registerCorsConfiguration("/fhir/**", cors);
		}
		return source;
	}
}
