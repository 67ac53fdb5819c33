package org.equityfhir.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.equityfhir.api.InterceptorOrder;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.UriType;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * {@code [base]/.well-known/smart-configuration} and the CapabilityStatement's security section: both say
 * where tokens come from (the embedded issuer, or the external one configured) and what this server
 * supports, from the same values.
 */
@Interceptor(order = InterceptorOrder.AUTHORIZATION - 1)
class SmartConfiguration {

	static final String PATH = ".well-known/smart-configuration";
	static final List<String> CAPABILITIES = List.of("client-confidential-asymmetric", "permission-v2", "permission-v1",
			"launch-standalone", "client-public", "context-standalone-patient");
	static final List<String> ASSERTION_ALGORITHMS = List.of("RS384", "ES384");

	private final SecurityProperties properties;
	private final ObjectMapper json = new ObjectMapper();

	SmartConfiguration(SecurityProperties properties) {
		this.properties = properties;
	}

	String issuer() {
		if (properties.issuerUri() != null && !properties.issuerUri().isBlank()) {
			return properties.issuerUri().replaceAll("/+$", "");
		}
		return ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString();
	}

	boolean external() {
		return properties.issuerUri() != null && !properties.issuerUri().isBlank();
	}

	/** An external issuer's endpoints, read from its discovery document once it answers (then kept). */
	private volatile com.fasterxml.jackson.databind.JsonNode discovered;

	private String endpoint(String field, String embeddedPath) {
		if (!external()) {
			return issuer() + embeddedPath;
		}
		com.fasterxml.jackson.databind.JsonNode discovery = discovery();
		return discovery != null && discovery.hasNonNull(field) ? discovery.get(field).asText() : null;
	}

	private com.fasterxml.jackson.databind.JsonNode discovery() {
		if (discovered == null) {
			try {
				java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newBuilder()
						.connectTimeout(java.time.Duration.ofSeconds(5)).build()
						.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(issuer() + "/.well-known/openid-configuration"))
								.timeout(java.time.Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
				if (response.statusCode() == 200) {
					discovered = json.readTree(response.body());
				}
			} catch (IOException e) {
				return null;
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				return null;
			}
		}
		return discovered;
	}

	String tokenEndpoint() {
		return endpoint("token_endpoint", "/oauth2/token");
	}

	String authorizeEndpoint() {
		return endpoint("authorization_endpoint", "/oauth2/authorize");
	}

	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED)
	public boolean answer(HttpServletRequest request, HttpServletResponse response) throws IOException {
		if (!request.getRequestURI().endsWith("/fhir/" + PATH)) {
			return true;
		}
		ObjectNode body = json.createObjectNode();
		body.put("issuer", issuer());
		body.put("jwks_uri", endpoint("jwks_uri", "/oauth2/jwks"));
		body.put("token_endpoint", tokenEndpoint());
		body.put("authorization_endpoint", authorizeEndpoint());
		body.putArray("grant_types_supported").add("client_credentials").add("authorization_code");
		body.putArray("token_endpoint_auth_methods_supported").add("private_key_jwt").add("none");
		var algs = body.putArray("token_endpoint_auth_signing_alg_values_supported");
		ASSERTION_ALGORITHMS.forEach(algs::add);
		var scopes = body.putArray("scopes_supported");
		SmartScopes.SUPPORTED.forEach(scopes::add);
		body.putArray("response_types_supported").add("code");
		body.putArray("code_challenge_methods_supported").add("S256");
		var capabilities = body.putArray("capabilities");
		CAPABILITIES.forEach(capabilities::add);
		response.setStatus(200);
		response.setContentType("application/json;charset=UTF-8");
		response.getWriter().write(json.writerWithDefaultPrettyPrinter().writeValueAsString(body));
		return false;
	}

	@Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
	public void declare(IBaseConformance generated) {
		if (!(generated instanceof CapabilityStatement cs)) {
			return;
		}
		for (CapabilityStatement.CapabilityStatementRestComponent rest : cs.getRest()) {
			CapabilityStatement.CapabilityStatementRestSecurityComponent security = rest.getSecurity();
			security.setCors(!properties.corsAllowedOrigins().isEmpty());
			security.getService().clear();
			security.addService(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/restful-security-service",
					"SMART-on-FHIR", "SMART-on-FHIR")));
			security.setDescription("OAuth 2.0 bearer tokens (SMART Backend Services and SMART App Launch); SMART v2 scopes "
					+ "per resource type and interaction, denied by default. Without a token only the public provider directory "
					+ "(read and search, opt-outs masked) and this statement answer. See " + PATH + ".");
			Extension uris = new Extension("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
			uris.addExtension("token", new UriType(tokenEndpoint()));
			uris.addExtension("authorize", new UriType(authorizeEndpoint()));
			security.getExtension().removeIf(e -> e.getUrl().equals(uris.getUrl()));
			security.addExtension(uris);
		}
	}
}
