package org.equityfhir.guide;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.junit.jupiter.api.Test;

/**
 * The CapabilityStatement our package publishes says, per resource type, what the selection rule does:
 * the same profiles and the same words as /metadata. -Dequity.write-docs=true rewrites its source file.
 */
class GuideCapabilityStatementTest {

	private static final Path SOURCE = Path.of("..", "profiles", "src", "main", "fhir",
			"CapabilityStatement-equity-fhir-server.json").toAbsolutePath().normalize();

	private final FhirContext fhir = FhirContext.forR4Cached();
	private final ProfileSelector selector = new ProfileSelector(fhir, GuidePackage.load(GuidePackage.TERMINOLOGY_ID));

	@Test
	void packagedCapabilityStatementSaysWhatTheSelectionRuleDoes() throws IOException {
		if (Boolean.getBoolean("equity.write-docs")) {
			rewriteSource();
		}
		CapabilityStatement published;
		var npm = GuidePackage.load(GuidePackage.PROFILES_ID).npm();
		try (InputStream in = npm.load("package", "CapabilityStatement-equity-fhir-server.json")) {
			published = fhir.newJsonParser().parseResource(CapabilityStatement.class, in);
		}
		Map<String, List<ProfileSelector.Rule>> byType = selector.rulesByType();
		assertThat(published.getRestFirstRep().getResource())
				.extracting(CapabilityStatement.CapabilityStatementRestResourceComponent::getType)
				.containsAll(byType.keySet());
		for (CapabilityStatement.CapabilityStatementRestResourceComponent resource : published.getRestFirstRep().getResource()) {
			List<ProfileSelector.Rule> rules = byType.getOrDefault(resource.getType(), List.of());
			assertThat(resource.getSupportedProfile()).extracting(CanonicalType::getValue).as(resource.getType())
					.containsExactlyElementsOf(rules.stream().map(ProfileSelector.Rule::profile).toList());
			assertThat(resource.hasProfile()).as(resource.getType() + " names no base profile the server does not apply").isFalse();
			if (!rules.isEmpty()) {
				assertThat(resource.getDocumentation()).as(resource.getType() + ": regenerate with -Dequity.write-docs=true")
						.isEqualTo(GuideCapabilityStatementInterceptor.documentation(rules));
			}
		}
	}

	private void rewriteSource() throws IOException {
		ObjectMapper json = new ObjectMapper();
		ObjectNode cs = (ObjectNode) json.readTree(SOURCE.toFile());
		Map<String, List<ProfileSelector.Rule>> byType = selector.rulesByType();
		for (var node : (ArrayNode) cs.path("rest").get(0).path("resource")) {
			ObjectNode resource = (ObjectNode) node;
			List<ProfileSelector.Rule> rules = byType.get(resource.path("type").asText());
			resource.remove("profile");
			resource.remove("supportedProfile");
			if (rules != null) {
				ArrayNode profiles = json.createArrayNode();
				rules.forEach(rule -> profiles.add(rule.profile()));
				// Keep FHIR's element order: supportedProfile comes right after type/profile.
				ObjectNode ordered = json.createObjectNode();
				resource.fields().forEachRemaining(f -> {
					ordered.set(f.getKey(), f.getValue());
					if (f.getKey().equals("type")) {
						ordered.set("supportedProfile", profiles);
					}
				});
				ordered.put("documentation", GuideCapabilityStatementInterceptor.documentation(rules));
				resource.removeAll();
				resource.setAll(ordered);
			}
		}
		DefaultPrettyPrinter printer = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"))
				.withArrayIndenter(new DefaultIndenter("  ", "\n"));
		Files.writeString(SOURCE, json.writer(printer).writeValueAsString(cs).replace("\" : ", "\": ") + "\n");
	}
}
