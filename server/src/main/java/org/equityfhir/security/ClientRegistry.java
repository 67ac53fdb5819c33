package org.equityfhir.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * The clients and users the server knows, stored in the database (so every instance sees a
 * registration at once): for each, its role, the Organization it acts for, its FHIR user, its allowed
 * scopes and, for a client, its public keys (a JWKS). Also the client assertions already used, so a
 * replayed assertion is refused on any instance.
 */
public class ClientRegistry {

	public record Client(String clientId, Role role, String organization, String fhirUser, String scope, String jwks) {}

	public record User(String username, String passwordHash, Role role, String organization, String fhirUser, String scope) {}

	private final JdbcTemplate jdbc;
	private final ObjectMapper json = new ObjectMapper();

	ClientRegistry(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	void createSchema() {
		jdbc.execute("CREATE TABLE IF NOT EXISTS eq_security_client (client_id VARCHAR(200) PRIMARY KEY, role VARCHAR(40) NOT NULL, "
				+ "organization VARCHAR(200), fhir_user VARCHAR(200), scope VARCHAR(4000) NOT NULL, jwks VARCHAR(100000) NOT NULL, "
				+ "updated_at TIMESTAMP NOT NULL)");
		jdbc.execute("CREATE TABLE IF NOT EXISTS eq_security_user (username VARCHAR(200) PRIMARY KEY, password_hash VARCHAR(200) NOT NULL, "
				+ "role VARCHAR(40) NOT NULL, organization VARCHAR(200), fhir_user VARCHAR(200), scope VARCHAR(4000) NOT NULL, "
				+ "updated_at TIMESTAMP NOT NULL)");
		jdbc.execute("CREATE TABLE IF NOT EXISTS eq_security_assertion (client_id VARCHAR(200) NOT NULL, jti VARCHAR(200) NOT NULL, "
				+ "expires_at TIMESTAMP NOT NULL, PRIMARY KEY (client_id, jti))");
		jdbc.execute("CREATE TABLE IF NOT EXISTS eq_security_key (name VARCHAR(40) PRIMARY KEY, jwk VARCHAR(20000) NOT NULL, "
				+ "created_at TIMESTAMP NOT NULL)");
	}

	/**
	 * The key every instance signs with when none is configured: the first instance to ask stores the one it
	 * made, and every other instance (and every restart) reads that one, so a token from any instance is good
	 * on all of them.
	 */
	String sharedKey(String name, java.util.function.Supplier<String> make) {
		List<String> stored = jdbc.queryForList("SELECT jwk FROM eq_security_key WHERE name=?", String.class, name);
		if (!stored.isEmpty()) {
			return stored.get(0);
		}
		try {
			jdbc.update("INSERT INTO eq_security_key (name, jwk, created_at) VALUES (?,?,?)", name, make.get(),
					Timestamp.from(Instant.now()));
		} catch (DuplicateKeyException anotherInstanceWasFirst) {
			// fall through: read the one that instance stored
		}
		return jdbc.queryForObject("SELECT jwk FROM eq_security_key WHERE name=?", String.class, name);
	}

	/** Registers or replaces a client; the registration is checked first (see {@link #check(Client)}). */
	public void save(Client client) {
		check(client);
		Timestamp now = Timestamp.from(Instant.now());
		int updated = jdbc.update("UPDATE eq_security_client SET role=?, organization=?, fhir_user=?, scope=?, jwks=?, updated_at=? "
				+ "WHERE client_id=?", client.role().code(), client.organization(), client.fhirUser(), client.scope(), client.jwks(), now,
				client.clientId());
		if (updated == 0) {
			jdbc.update("INSERT INTO eq_security_client (client_id, role, organization, fhir_user, scope, jwks, updated_at) "
					+ "VALUES (?,?,?,?,?,?,?)", client.clientId(), client.role().code(), client.organization(), client.fhirUser(),
					client.scope(), client.jwks(), now);
		}
	}

	public Optional<Client> client(String clientId) {
		return jdbc.query("SELECT client_id, role, organization, fhir_user, scope, jwks FROM eq_security_client WHERE client_id=?",
				(rs, i) -> new Client(rs.getString(1), Role.fromCode(rs.getString(2)), rs.getString(3), rs.getString(4),
						rs.getString(5), rs.getString(6)), clientId).stream().findFirst();
	}

	public List<Client> clients() {
		return jdbc.query("SELECT client_id, role, organization, fhir_user, scope, jwks FROM eq_security_client ORDER BY client_id",
				(rs, i) -> new Client(rs.getString(1), Role.fromCode(rs.getString(2)), rs.getString(3), rs.getString(4),
						rs.getString(5), rs.getString(6)));
	}

	public void save(User user) {
		checkCommon(user.username(), user.role(), user.organization(), user.scope());
		Timestamp now = Timestamp.from(Instant.now());
		int updated = jdbc.update("UPDATE eq_security_user SET password_hash=?, role=?, organization=?, fhir_user=?, scope=?, updated_at=? "
				+ "WHERE username=?", user.passwordHash(), user.role().code(), user.organization(), user.fhirUser(), user.scope(), now,
				user.username());
		if (updated == 0) {
			jdbc.update("INSERT INTO eq_security_user (username, password_hash, role, organization, fhir_user, scope, updated_at) "
					+ "VALUES (?,?,?,?,?,?,?)", user.username(), user.passwordHash(), user.role().code(), user.organization(),
					user.fhirUser(), user.scope(), now);
		}
	}

	public Optional<User> user(String username) {
		return jdbc.query("SELECT username, password_hash, role, organization, fhir_user, scope FROM eq_security_user WHERE username=?",
				(rs, i) -> new User(rs.getString(1), rs.getString(2), Role.fromCode(rs.getString(3)), rs.getString(4), rs.getString(5),
						rs.getString(6)), username).stream().findFirst();
	}

	/**
	 * Records a client assertion's {@code jti} until it expires; false when it was already used (a replay),
	 * here or on another instance.
	 */
	boolean firstUse(String clientId, String jti, Instant expiresAt) {
		try {
			jdbc.update("INSERT INTO eq_security_assertion (client_id, jti, expires_at) VALUES (?,?,?)", clientId, jti,
					Timestamp.from(expiresAt));
			return true;
		} catch (DuplicateKeyException replay) {
			return false;
		}
	}

	void forgetExpiredAssertions() {
		jdbc.update("DELETE FROM eq_security_assertion WHERE expires_at < ?", Timestamp.from(Instant.now().minusSeconds(600)));
	}

	/** Reads a clients file: a JSON array of client_id, jwks, scope, organization, role (and fhirUser). */
	List<Client> readClientsFile(Path file) {
		try {
			JsonNode array = json.readTree(Files.readString(file));
			if (!array.isArray()) {
				throw new IllegalArgumentException(file + " must hold a JSON array of clients");
			}
			List<Client> clients = new ArrayList<>();
			for (JsonNode node : array) {
				clients.add(fromJson(node));
			}
			return clients;
		} catch (IOException e) {
			throw new IllegalArgumentException("cannot read the clients file " + file + ": " + e.getMessage(), e);
		}
	}

	/** One client in the clients file's (and the admin API's) JSON form. */
	Client fromJson(JsonNode node) {
		String clientId = text(node, "client_id");
		if (clientId == null) {
			throw new IllegalArgumentException("a client needs client_id");
		}
		String roleCode = text(node, "role");
		if (roleCode == null) {
			throw new IllegalArgumentException("client " + clientId + " needs a role");
		}
		JsonNode jwks = node.get("jwks");
		Client client = new Client(clientId, Role.fromCode(roleCode), text(node, "organization"), text(node, "fhirUser"),
				Optional.ofNullable(text(node, "scope")).orElse(""), jwks == null ? null : jwks.toString());
		check(client);
		return client;
	}

	static JsonNode toJson(Client client, ObjectMapper json) {
		var node = json.createObjectNode();
		node.put("client_id", client.clientId());
		node.put("role", client.role().code());
		node.put("organization", client.organization());
		node.put("fhirUser", client.fhirUser());
		node.put("scope", client.scope());
		try {
			node.set("jwks", json.readTree(client.jwks()));
		} catch (IOException e) {
			throw new IllegalStateException(e);
		}
		return node;
	}

	User userFromJson(JsonNode node, PasswordEncoder encoder) {
		String username = text(node, "username");
		String password = text(node, "password");
		String roleCode = text(node, "role");
		if (username == null || password == null || roleCode == null) {
			throw new IllegalArgumentException("a user needs username, password and role");
		}
		if (password.length() < 12) {
			throw new IllegalArgumentException("a password needs at least 12 characters");
		}
		User user = new User(username, encoder.encode(password), Role.fromCode(roleCode), text(node, "organization"),
				text(node, "fhirUser"), Optional.ofNullable(text(node, "scope")).orElse("user/*.cruds"));
		checkCommon(user.username(), user.role(), user.organization(), user.scope());
		checkFhirUser(user.username(), user.role(), user.fhirUser());
		return user;
	}

	/** A registration the server could not honour is refused with the reason, before anything is stored. */
	static void check(Client client) {
		checkCommon(client.clientId(), client.role(), client.organization(), client.scope());
		checkFhirUser(client.clientId(), client.role(), client.fhirUser());
		if (client.jwks() == null) {
			throw new IllegalArgumentException("client " + client.clientId() + " needs jwks: its public keys");
		}
		try {
			JWKSet keys = JWKSet.parse(client.jwks());
			if (keys.getKeys().isEmpty()) {
				throw new IllegalArgumentException("client " + client.clientId() + ": jwks holds no key");
			}
			if (keys.getKeys().stream().anyMatch(k -> k.isPrivate())) {
				throw new IllegalArgumentException("client " + client.clientId() + ": jwks must hold public keys only");
			}
		} catch (java.text.ParseException e) {
			throw new IllegalArgumentException("client " + client.clientId() + ": jwks is not a JSON Web Key Set: " + e.getMessage());
		}
	}

	private static void checkFhirUser(String id, Role role, String fhirUser) {
		if (role == Role.CLINICIAN && (fhirUser == null || !fhirUser.matches("Practitioner/[A-Za-z0-9.-]{1,64}"))) {
			throw new IllegalArgumentException(id + ": a clinician is a Practitioner: fhirUser must be a reference such as "
					+ "Practitioner/123");
		}
	}

	private static void checkCommon(String id, Role role, String organization, String scope) {
		if (id == null || !id.matches("[A-Za-z0-9._@-]{1,200}")) {
			throw new IllegalArgumentException("an id (client_id or username) is 1 to 200 letters, digits, '.', '_', '@' or '-'");
		}
		if ((role == Role.COMMUNITY_ORGANIZATION) && (organization == null || !organization.matches("Organization/[A-Za-z0-9.-]{1,64}"))) {
			throw new IllegalArgumentException(id + ": a community organization acts for an Organization: organization "
					+ "must be a reference such as Organization/food-shelf");
		}
		if (organization != null && !organization.matches("Organization/[A-Za-z0-9.-]{1,64}")) {
			throw new IllegalArgumentException(id + ": organization must be a reference such as Organization/food-shelf");
		}
		List<String> bad = Arrays.stream(scope.trim().split("\\s+")).filter(s -> !s.isEmpty() && !SmartScopes.isValid(s)).toList();
		if (!bad.isEmpty()) {
			throw new IllegalArgumentException(id + ": scopes not supported: " + bad + " (SMART v2 system/ or user/ scopes, "
					+ "such as system/Task.rs or user/*.cruds)");
		}
	}

	private static String text(JsonNode node, String field) {
		JsonNode value = node.get(field);
		return value == null || value.isNull() ? null : value.asText();
	}
}
