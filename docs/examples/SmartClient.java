// A SMART Backend Services client in one file, with nothing but the JDK (Java 17):
//
//   java SmartClient.java keygen my-client            writes my-client.key and prints its registration
//   java SmartClient.java call http://localhost:8080 my-client "system/Patient.rs" "Patient?_count=5"
//   java SmartClient.java token http://localhost:8080 my-client "system/*.cruds"   prints an access token
//
// "keygen" makes an RSA key pair and prints the client's registration (its public key as a JWKS), to
// add to EQUITY_SECURITY_CLIENTS_FILE or POST to /admin/clients. "call" finds the token endpoint in the
// server's .well-known/smart-configuration, signs a client assertion (RS384, five minutes, unique jti),
// asks for a token with the scope, and calls the FHIR API with it.
import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class SmartClient {

	public static void main(String[] args) throws Exception {
		if (args.length == 2 && args[0].equals("keygen")) {
			keygen(args[1]);
		} else if (args.length == 5 && args[0].equals("call")) {
			System.out.println(call(args[1], args[2], args[3], args[4]));
		} else if (args.length == 4 && args[0].equals("token")) {
			System.out.println(token(HttpClient.newHttpClient(), args[1], args[2], args[3]));
		} else {
			System.err.println("usage: keygen CLIENT_ID | call SERVER CLIENT_ID SCOPE FHIR_PATH | token SERVER CLIENT_ID SCOPE");
			System.exit(2);
		}
	}

	static void keygen(String clientId) throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(2048);
		KeyPair pair = generator.generateKeyPair();
		Files.write(Path.of(clientId + ".key"), pair.getPrivate().getEncoded());
		RSAPublicKey key = (RSAPublicKey) pair.getPublic();
		System.out.println("{\"client_id\": \"" + clientId + "\", \"role\": \"ehr\", \"scope\": \"system/*.rs\", \"jwks\": {\"keys\": [{"
				+ "\"kty\": \"RSA\", \"alg\": \"RS384\", \"use\": \"sig\", \"kid\": \"" + clientId + "-1\", "
				+ "\"n\": \"" + b64(unsigned(key.getModulus())) + "\", \"e\": \"" + b64(unsigned(key.getPublicExponent())) + "\"}]}}");
	}

	static String call(String server, String clientId, String scope, String path) throws Exception {
		HttpClient http = HttpClient.newHttpClient();
		String token = token(http, server, clientId, scope);
		return http.send(HttpRequest.newBuilder(URI.create(server + "/fhir/" + path))
				.header("Authorization", "Bearer " + token)
				.header("Accept", "application/fhir+json").build(), HttpResponse.BodyHandlers.ofString()).body();
	}

	static String token(HttpClient http, String server, String clientId, String scope) throws Exception {
		String smart = http.send(HttpRequest.newBuilder(URI.create(server + "/fhir/.well-known/smart-configuration")).build(),
				HttpResponse.BodyHandlers.ofString()).body();
		String tokenEndpoint = field(smart, "token_endpoint");

		String header = b64("{\"alg\":\"RS384\",\"typ\":\"JWT\",\"kid\":\"" + clientId + "-1\"}");
		long now = Instant.now().getEpochSecond();
		String claims = b64("{\"iss\":\"" + clientId + "\",\"sub\":\"" + clientId + "\",\"aud\":\"" + tokenEndpoint
				+ "\",\"exp\":" + (now + 300) + ",\"iat\":" + now + ",\"jti\":\"" + UUID.randomUUID() + "\"}");
		Signature rs384 = Signature.getInstance("SHA384withRSA");
		rs384.initSign((RSAPrivateCrtKey) KeyFactory.getInstance("RSA")
				.generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(Path.of(clientId + ".key")))));
		rs384.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
		String assertion = header + "." + claims + "." + b64(rs384.sign());

		String form = "grant_type=client_credentials&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8)
				+ "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=" + assertion;
		HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(tokenEndpoint))
				.header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
				HttpResponse.BodyHandlers.ofString());
		if (token.statusCode() != 200) {
			throw new IllegalStateException("token request refused: " + token.statusCode() + " " + token.body());
		}
		return field(token.body(), "access_token");
	}

	private static String field(String json, String name) {
		Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
		if (!m.find()) {
			throw new IllegalStateException("no " + name + " in " + json);
		}
		return m.group(1);
	}

	private static byte[] unsigned(BigInteger n) {
		byte[] bytes = n.toByteArray();
		return bytes[0] == 0 ? java.util.Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
	}

	private static String b64(String s) {
		return b64(s.getBytes(StandardCharsets.UTF_8));
	}

	private static String b64(byte[] bytes) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}
}
