package externalissuer;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.util.List;
import java.util.Map;
import org.equityfhir.testsupport.TestClients;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.config.annotation.web.configurers.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A second, in-process OpenID Connect issuer standing in for Keycloak or any provider: its own Spring
 * Authorization Server, its own signing key, and one SMART Backend Services client whose public key it
 * fetches from a JWKS URL, as providers do. Its access tokens carry the claims our server reads. Lives
 * outside org.equityfhir, so the server under test never scans it.
 */
@SpringBootApplication(exclude = DataSourceAutoConfiguration.class)
public class ExternalIssuerApp {

	public static final String CLIENT = "external-ehr";
	public static final String AUDIENCE = "https://equity.example.org/fhir";
	public static final RSAKey CLIENT_KEY = TestClients.rsa();
	private static ConfigurableApplicationContext context;
	private static int port;

	/** Starts the issuer once per test JVM; returns its issuer URL. */
	public static synchronized String start() {
		if (context == null) {
			try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
				port = free.getLocalPort();
			} catch (java.io.IOException e) {
				throw new java.io.UncheckedIOException(e);
			}
			// Its own configuration only: none of the server's application.yml.
			context = new SpringApplication(ExternalIssuerApp.class).run("--server.port=" + port, "--spring.main.banner-mode=off",
					"--spring.config.name=external-issuer");
		}
		return url();
	}

	private static String url() {
		return "http://localhost:" + port;
	}

	@Bean
	@Order(1)
	SecurityFilterChain issuer(HttpSecurity http) throws Exception {
		OAuth2AuthorizationServerConfigurer server = OAuth2AuthorizationServerConfigurer.authorizationServer();
		http.securityMatcher(server.getEndpointsMatcher())
				.with(server, s -> s.oidc(Customizer.withDefaults()))
				.authorizeHttpRequests(a -> a.anyRequest().authenticated());
		return http.build();
	}

	@Bean
	@Order(2)
	SecurityFilterChain everythingElse(HttpSecurity http) throws Exception {
		return http.authorizeHttpRequests(a -> a.anyRequest().permitAll()).csrf(c -> c.disable()).build();
	}

	@Bean
	RegisteredClientRepository clients() {
		return new InMemoryRegisteredClientRepository(RegisteredClient.withId(CLIENT).clientId(CLIENT)
				.clientAuthenticationMethod(ClientAuthenticationMethod.PRIVATE_KEY_JWT)
				.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
				.scope("system/*.rs").scope("system/ServiceRequest.rs")
				.clientSettings(ClientSettings.builder().jwkSetUrl(url() + "/client-jwks")
						.tokenEndpointAuthenticationSigningAlgorithm(SignatureAlgorithm.RS384).build())
				.build());
	}

	@Bean
	JWKSource<SecurityContext> signingKey() {
		return new ImmutableJWKSet<>(new JWKSet(TestClients.rsa()));
	}

	/** The claims our server reads: role, scope as a string, and our server as audience. */
	@Bean
	OAuth2TokenCustomizer<JwtEncodingContext> claims() {
		return context -> {
			if (OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
				context.getClaims().audience(List.of(AUDIENCE)).claim("role", "ehr")
						.claim("scope", String.join(" ", context.getAuthorizedScopes()));
			}
		};
	}

	@RestController
	static class ClientKeys {
		@GetMapping("/client-jwks")
		Map<String, Object> keys() {
			return new JWKSet(CLIENT_KEY.toPublicJWK()).toJSONObject();
		}
	}
}
