package org.equityfhir.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The clients every test server registers at start-up through its clients file (as an operator would,
 * with EQUITY_SECURITY_CLIENTS_FILE), each with its own key pair made for this test JVM, and the tokens
 * they get the way a SMART Backend Services client does: a signed JWT assertion posted to the token
 * endpoint. Tests act as one of these parties.
 */
public final class TestClients {

	/** An EHR integration client: clinical and directory reads and writes. What most tests act as. */
	public static final String EHR = "test-ehr";
	public static final String DIRECTORY_ADMIN = "test-directory-admin";
	public static final String ADMIN = "test-admin";
	public static final String MEMBER_SERVICES = "test-member-services";
	/** Two community organizations, each acting for its own Organization (A signs with ES384, B with RS384). */
	public static final String FOOD_SHELF_A = "food-shelf-a";
	public static final String FOOD_SHELF_B = "food-shelf-b";
	public static final String ORGANIZATION_A = "Organization/food-shelf-a";
	public static final String ORGANIZATION_B = "Organization/food-shelf-b";
	public static final String CLINICIAN = "test-clinician";
	/** An equity analyst: summary reports only. */
	public static final String EQUITY_ANALYST = "test-equity-analyst";
	public static final String CLINICIAN_PRACTITIONER = "Practitioner/test-clinician";

	private static final ObjectMapper JSON = new ObjectMapper();
	private static final HttpClient HTTP = HttpClient.newHttpClient();
	private static final Map<String, JWK> KEYS = new LinkedHashMap<>();
	private static final Map<String, ObjectNode> REGISTRATIONS = new LinkedHashMap<>();
	private static final Map<String, Token> TOKENS = new ConcurrentHashMap<>();
	private static Path file;
	/** The test servers' token-signing key: tests mint tokens with it that the issuer never would (expired, wrong audience). */
	public static final RSAKey SERVER_KEY = rsa();

	private record Token(String value, Instant expires) {}

	static {
		register(EHR, "ehr", null, null, "system/*.cruds", rsa());
		register(DIRECTORY_ADMIN, "directory-admin", null, null, "system/*.cruds", rsa());
		register(ADMIN, "admin", null, null, "system/*.cruds", rsa());
		register(MEMBER_SERVICES, "member-services", null, null, "system/*.rs", rsa());
		register(FOOD_SHELF_A, "community-organization", ORGANIZATION_A, null, "system/*.cruds", ec());
		register(FOOD_SHELF_B, "community-organization", ORGANIZATION_B, null, "system/*.cruds", rsa());
		register(CLINICIAN, "clinician", null, CLINICIAN_PRACTITIONER, "system/*.cruds", rsa());
		register(EQUITY_ANALYST, "equity-analyst", null, null, "system/*.rs", rsa());
	}

	private TestClients() {}

	private static void register(String clientId, String role, String organization, String fhirUser, String scope, JWK key) {
		KEYS.put(clientId, key);
		REGISTRATIONS.put(clientId, registration(clientId, role, organization, fhirUser, scope, key));
	}

	/** A registration in the clients file's (and the admin API's) form, with the key's public half. */
	public static ObjectNode registration(String clientId, String role, String organization, String fhirUser, String scope, JWK key) {
		ObjectNode node = JSON.createObjectNode();
		node.put("client_id", clientId);
		node.put("role", role);
		if (organization != null) {
			node.put("organization", organization);
		}
		if (fhirUser != null) {
			node.put("fhirUser", fhirUser);
		}
		node.put("scope", scope);
		try {
			node.set("jwks", JSON.readTree(new JWKSet(key.toPublicJWK()).toString()));
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return node;
	}

	public static RSAKey rsa() {
		try {
			return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
		} catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	public static ECKey ec() {
		try {
			return new ECKeyGenerator(Curve.P_384).keyID(UUID.randomUUID().toString()).generate();
		} catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	/** The clients file, written once per test JVM. */
	public static synchronized Path clientsFile() {
		if (file == null) {
			try {
				ArrayNode all = JSON.createArrayNode();
				REGISTRATIONS.values().forEach(all::add);
				file = Files.createTempFile("equity-test-clients-", ".json");
				file.toFile().deleteOnExit();
				Files.writeString(file, all.toPrettyString());
			} catch (IOException e) {
				throw new UncheckedIOException(e);
			}
		}
		return file;
	}

	/** Settings every test server shares: the clients above, and tokens that outlast a long test. */
	public static String[] serverProperties() {
		return new String[] {"equity.security.clients-file=" + clientsFile(), "equity.security.token-lifetime=30m",
				"equity.security.signing-key=" + SERVER_KEY.toJSONString()};
	}

	/** A token for one of the registered clients, with all its registered scopes (cached while valid). */
	public static String token(String origin, String clientId) {
		return token(origin, clientId, REGISTRATIONS.get(clientId).get("scope").asText());
	}

	public static String token(String origin, String clientId, String scope) {
		String key = origin + " " + clientId + " " + scope;
		Token cached = TOKENS.get(key);
		if (cached != null && cached.expires().isAfter(Instant.now().plusSeconds(60))) {
			return cached.value();
		}
		HttpResponse<String> response = requestToken(origin, assertion(origin + "/oauth2/token", clientId, KEYS.get(clientId)),
				scope);
		if (response.statusCode() != 200) {
			throw new IllegalStateException("token request for " + clientId + " failed: " + response.statusCode() + " " + response.body());
		}
		try {
			JsonNode body = JSON.readTree(response.body());
			Token token = new Token(body.get("access_token").asText(), Instant.now().plusSeconds(body.get("expires_in").asLong()));
			TOKENS.put(key, token);
			return token.value();
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** A client assertion as SMART Backend Services asks for: iss = sub = client, aud = token endpoint, 5 min, unique jti. */
	public static String assertion(String tokenEndpoint, String clientId, JWK key) {
		return sign(key, new JWTClaimsSet.Builder().issuer(clientId).subject(clientId).audience(tokenEndpoint)
				.expirationTime(Date.from(Instant.now().plusSeconds(240))).issueTime(new Date())
				.jwtID(UUID.randomUUID().toString()).build());
	}

	public static String sign(JWK key, JWTClaimsSet claims) {
		try {
			SignedJWT jwt;
			if (key instanceof ECKey ec) {
				jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES384).keyID(ec.getKeyID()).build(), claims);
				jwt.sign(new ECDSASigner(ec));
			} else {
				RSAKey rsa = (RSAKey) key;
				jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS384).keyID(rsa.getKeyID()).build(), claims);
				jwt.sign(new RSASSASigner(rsa));
			}
			return jwt.serialize();
		} catch (JOSEException e) {
			throw new IllegalStateException(e);
		}
	}

	public static JWK key(String clientId) {
		return KEYS.get(clientId);
	}

	/** POSTs a client-credentials token request with a client assertion, as a SMART client does. */
	public static HttpResponse<String> requestToken(String origin, String assertion, String scope) {
		String form = "grant_type=client_credentials"
				+ "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8)
				+ "&client_assertion_type=" + URLEncoder.encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", StandardCharsets.UTF_8)
				+ "&client_assertion=" + URLEncoder.encode(assertion, StandardCharsets.UTF_8);
		try {
			return HTTP.send(HttpRequest.newBuilder(URI.create(origin + "/oauth2/token"))
					.header("Content-Type", "application/x-www-form-urlencoded")
					.POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}
}
