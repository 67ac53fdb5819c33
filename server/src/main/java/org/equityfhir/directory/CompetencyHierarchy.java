package org.equityfhir.directory;

import ca.uhn.fhir.context.FhirContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.equityfhir.guide.GuidePackage;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Practitioner;

/**
 * Our cultural-competency code system's hierarchy, read once from the terminology package (the same
 * CodeSystem the cultural-competency search parameter's :below follows), so that asking for
 * "east-african" credits a clinician who attested "somali".
 */
public class CompetencyHierarchy {

	static final String SYSTEM = "http://equityfhir.org/fhir/CodeSystem/cultural-competency";
	static final String EXTENSION = DirectoryCategory.CULTURAL_COMPETENCY;

	private final Map<String, String> parents = new HashMap<>();
	private final Map<String, String> displays = new HashMap<>();

	public CompetencyHierarchy(FhirContext fhirContext, GuidePackage terminology) {
		walk(terminology.resource(fhirContext, "CodeSystem-cultural-competency.json", CodeSystem.class).getConcept(), null);
	}

	private void walk(List<CodeSystem.ConceptDefinitionComponent> concepts, String parent) {
		for (CodeSystem.ConceptDefinitionComponent c : concepts) {
			if (parent != null) {
				parents.put(c.getCode(), parent);
			}
			displays.put(c.getCode(), c.hasDisplay() ? c.getDisplay() : c.getCode());
			walk(c.getConcept(), c.getCode());
		}
	}

	public boolean isAtOrBelow(String code, String ancestor) {
		for (String at = code; at != null; at = parents.get(at)) {
			if (at.equals(ancestor)) {
				return true;
			}
		}
		return false;
	}

	public String display(String code) {
		return displays.getOrDefault(code, code);
	}

	/** The competency codes a (masked or not) Practitioner carries, from our extension's code. */
	public List<String> codesOn(Practitioner practitioner) {
		return practitioner.getExtensionsByUrl(EXTENSION).stream()
				.map(e -> e.getExtensionByUrl("code"))
				.filter(code -> code != null && code.getValue() instanceof CodeableConcept)
				.flatMap(code -> ((CodeableConcept) code.getValue()).getCoding().stream())
				.filter(c -> SYSTEM.equals(c.getSystem()) && c.getCode() != null)
				.map(c -> c.getCode())
				.toList();
	}

	boolean knows(String code) {
		return displays.containsKey(code);
	}
}
