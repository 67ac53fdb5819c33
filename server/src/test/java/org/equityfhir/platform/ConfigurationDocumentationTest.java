package org.equityfhir.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.yaml.snakeyaml.Yaml;

/**
 * The README's configuration table, docker-compose.yml and the server's typed configuration agree:
 * every variable compose sets is one the server reads, every one the server reads is documented, and
 * each documented name really binds to its property.
 */
class ConfigurationDocumentationTest {

	/** Read by Spring Boot or the JVM rather than by one of our records. */
	private static final Set<String> PLATFORM_VARIABLES = Set.of("SERVER_PORT", "JAVA_TOOL_OPTIONS");
	private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

	@Test
	void everyVariableComposeSetsIsOneTheServerReads() throws IOException {
		Map<String, Object> compose = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
		@SuppressWarnings("unchecked")
		Map<String, Object> server = (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get("server");
		@SuppressWarnings("unchecked")
		Set<String> composeVariables = ((Map<String, Object>) server.get("environment")).keySet();

		assertThat(composeVariables).isNotEmpty();
		assertThat(serverVariables().keySet()).containsAll(composeVariables);
	}

	@Test
	void readmeDocumentsExactlyTheVariablesTheServerReads() throws IOException {
		assertThat(readmeVariables()).isEqualTo(new TreeSet<>(serverVariables().keySet()));
	}

	@Test
	void eachDocumentedVariableBindsToItsProperty() throws Exception {
		for (Map.Entry<String, RecordComponent> entry : serverVariables().entrySet()) {
			if (PLATFORM_VARIABLES.contains(entry.getKey())) {
				continue;
			}
			RecordComponent component = entry.getValue();
			Class<?> record = component.getDeclaringRecord();
			String prefix = record.getAnnotation(ConfigurationProperties.class).value();
			Object defaults = bind(record, prefix, Map.of());
			Object bound = bind(record, prefix, Map.of(entry.getKey(), sampleValue(component.getType())));
			assertThat(component.getAccessor().invoke(bound))
					.as(entry.getKey())
					.isNotNull()
					.isNotEqualTo(component.getAccessor().invoke(defaults));
		}
	}

	private static Object bind(Class<?> record, String prefix, Map<String, Object> environment) {
		StandardEnvironment env = new StandardEnvironment();
		env.getPropertySources().addFirst(new SystemEnvironmentPropertySource("test-env", environment));
		return new Binder(ConfigurationPropertySources.get(env)).bindOrCreate(prefix, record);
	}

	private static String sampleValue(Class<?> type) {
		if (type == int.class || type == Integer.class) {
			return "7";
		}
		if (type == boolean.class || type == Boolean.class) {
			return "false";
		}
		if (type == double.class || type == Double.class) {
			return "7.5";
		}
		if (type.isEnum()) {
			Object[] constants = type.getEnumConstants(); // the last: defaults are the first
			return ((Enum<?>) constants[constants.length - 1]).name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
		}
		if (type == org.springframework.util.unit.DataSize.class) {
			return "3MB";
		}
		if (type == java.time.Duration.class) {
			return "7m";
		}
		return "/tmp/sample";
	}

	/** Environment variable name → the record component it sets, for every @ConfigurationProperties record. */
	private static Map<String, RecordComponent> serverVariables() {
		ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
		scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
		Map<String, RecordComponent> variables = new LinkedHashMap<>();
		scanner.findCandidateComponents("org.equityfhir").forEach(candidate -> {
			try {
				Class<?> type = Class.forName(candidate.getBeanClassName());
				String prefix = type.getAnnotation(ConfigurationProperties.class).value();
				assertThat(type.isRecord()).as(type + " should be a record").isTrue();
				for (RecordComponent component : type.getRecordComponents()) {
					variables.put(environmentName(prefix, component.getName()), component);
				}
			} catch (ClassNotFoundException e) {
				throw new IllegalStateException(e);
			}
		});
		assertThat(variables).isNotEmpty();
		PLATFORM_VARIABLES.forEach(v -> variables.put(v, null));
		return variables;
	}

	static String environmentName(String prefix, String component) {
		String kebab = component.replaceAll("([a-z0-9])([A-Z])", "$1_$2");
		return (prefix + "_" + kebab).replace('.', '_').replace('-', '_').toUpperCase();
	}

	private static Set<String> readmeVariables() throws IOException {
		String readme = Files.readString(ROOT.resolve("README.md"));
		String table = readme.substring(
				readme.indexOf("<!-- configuration-table:start -->"), readme.indexOf("<!-- configuration-table:end -->"));
		Set<String> names = new TreeSet<>();
		Matcher m = Pattern.compile("(?m)^\\| `([A-Z0-9_]+)` \\|").matcher(table);
		while (m.find()) {
			names.add(m.group(1));
		}
		assertThat(names).isNotEmpty();
		return names;
	}

	@Test
	void environmentNamesFollowSpringRelaxedBinding() {
		assertThat(environmentName("equity.db", "maxPoolSize")).isEqualTo("EQUITY_DB_MAX_POOL_SIZE");
		assertThat(List.of(environmentName("equity.server", "publicBaseUrl"))).containsExactly("EQUITY_SERVER_PUBLIC_BASE_URL");
	}
}
