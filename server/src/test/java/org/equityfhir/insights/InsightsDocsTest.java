package org.equityfhir.insights;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Measure;
import org.junit.jupiter.api.Test;

/** docs/equity.md states each shipped Measure population's definition, and the suppression threshold the code uses. */
class InsightsDocsTest {

	private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

	@Test
	void theDocsCarryEveryPopulationDefinitionOfTheShippedMeasures() throws IOException {
		String docs = Files.readString(ROOT.resolve("docs/equity.md"));
		FhirContext fhir = FhirContext.forR4Cached();
		List<Path> files;
		try (Stream<Path> all = Files.list(ROOT.resolve("profiles/src/main/fhir"))) {
			files = all.filter(p -> p.getFileName().toString().startsWith("Measure-")).toList();
		}
		assertThat(files).hasSize(5);
		for (Path file : files) {
			Measure measure = fhir.newJsonParser().parseResource(Measure.class, Files.readString(file));
			measure.getGroup().forEach(group -> group.getPopulation().forEach(population ->
					assertThat(docs).as(file + " " + population.getCriteria().getExpression())
							.contains(population.getCriteria().getDescription())));
		}
		java.lang.reflect.RecordComponent[] components = InsightsProperties.class.getRecordComponents();
		int index = java.util.Arrays.asList(components).indexOf(java.util.Arrays.stream(components)
				.filter(c -> c.getName().equals("smallestShown")).findFirst().orElseThrow());
		String threshold = InsightsProperties.class.getDeclaredConstructors()[0].getParameters()[index]
				.getAnnotation(org.springframework.boot.context.properties.bind.DefaultValue.class).value()[0];
		assertThat(docs).contains("(default **" + threshold + "**)");
	}
}
