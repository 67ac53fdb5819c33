package org.equityfhir.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The admin API (admin role only, see SecurityConfig): register or replace a client ({@code POST
 * /admin/clients}, the clients file's JSON for one client), list clients, and add or replace a user of
 * the web pages ({@code POST /admin/users}: username, password, role, organization, fhirUser).
 * Registrations are stored in the database, so every instance honours them at once.
 */
@RestController
@RequestMapping("/admin")
class AdminApi {

	private final ClientRegistry registry;
	private final PasswordEncoder passwords;
	private final ObjectMapper json = new ObjectMapper();

	AdminApi(ClientRegistry registry, PasswordEncoder passwords) {
		this.registry = registry;
		this.passwords = passwords;
	}

	@PostMapping(value = "/clients", consumes = "application/json", produces = "application/json")
	ResponseEntity<JsonNode> registerClient(@RequestBody JsonNode body) {
		ClientRegistry.Client client = registry.fromJson(body);
		boolean existed = registry.client(client.clientId()).isPresent();
		registry.save(client);
		return ResponseEntity.status(existed ? HttpStatus.OK : HttpStatus.CREATED).body(ClientRegistry.toJson(client, json));
	}

	@GetMapping(value = "/clients", produces = "application/json")
	JsonNode clients() {
		ArrayNode all = json.createArrayNode();
		registry.clients().forEach(c -> all.add(ClientRegistry.toJson(c, json)));
		return all;
	}

	@PostMapping(value = "/users", consumes = "application/json", produces = "application/json")
	ResponseEntity<Map<String, String>> registerUser(@RequestBody JsonNode body) {
		ClientRegistry.User user = registry.userFromJson(body, passwords);
		boolean existed = registry.user(user.username()).isPresent();
		registry.save(user);
		return ResponseEntity.status(existed ? HttpStatus.OK : HttpStatus.CREATED)
				.body(Map.of("username", user.username(), "role", user.role().code()));
	}

	@ExceptionHandler(IllegalArgumentException.class)
	ResponseEntity<Map<String, String>> refused(IllegalArgumentException e) {
		return ResponseEntity.unprocessableEntity().body(Map.of("error", "invalid_client_metadata", "error_description", e.getMessage()));
	}
}
