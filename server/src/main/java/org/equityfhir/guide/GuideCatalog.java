package org.equityfhir.guide;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.OperationDefinition;
import org.hl7.fhir.r4.model.Questionnaire;
import org.hl7.fhir.r4.model.SearchParameter;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.ValueSet;
import org.hl7.fhir.utilities.npm.NpmPackage;

/**
 * A one-line-per-resource catalogue of our guide, rendered from the packages themselves (docs/ig.md is
 * this output; a test keeps the two equal), so the readable guide cannot drift from what is enforced.
 */
public final class GuideCatalog {

	/** A full stop that ends a sentence: followed by a capital, and not the one in "e.g." or "i.e.". */
	private static final java.util.regex.Pattern SENTENCE_END =
			java.util.regex.Pattern.compile("(?<!\\be\\.g|\\bi\\.e)\\.\\s+(?=[A-Z])");

	/** How a profile invariant says it is one of our deliberate data-quality rules (and why, after the colon). */
	static final String DATA_QUALITY = "Data-quality rule";

	private GuideCatalog() {}

	/**
	 * @param selector the selection rule, rendered as the "which profile applies" table
	 * @param workflowRules the sentences of the rules our workflows check where they act
	 */
	public static String markdown(
			FhirContext fhirContext, List<GuidePackage> packages, ProfileSelector selector, List<String> workflowRules) {
		List<Resource> resources = new ArrayList<>();
		for (GuidePackage pkg : packages) {
			resources.addAll(read(fhirContext, pkg.npm()));
		}
		StringBuilder md = new StringBuilder();
		md.append("# Equity FHIR implementation guide\n\n")
				.append("Generated from the FHIR packages ");
		packages.forEach(p -> md.append('`').append(p.id()).append('#').append(p.version()).append("` "));
		md.append("by `GuideCatalog` (regenerate with `mvn -B -pl server -am test -Dtest=GuideCatalogTest ")
				.append("-Dsurefire.failIfNoSpecifiedTests=false -Dequity.write-docs=true`). Canonical base: ")
				.append("`http://equityfhir.org/fhir`. The conformance principle is in `profiles/README.md`.\n");

		md.append("\n## Which profile applies\n\nDecided by type and by the role a resource declares (its category, type or ")
				.append("code), whether or not it declares `meta.profile`; within a type the first matching line wins. A ")
				.append("profile a resource declares is checked too when the server has it (ours, or an official one ")
				.append("installed with `equity.ig.extra-packages`). The same table is `/metadata`'s per-type documentation.\n\n")
				.append("| Resource | Profile | When |\n| --- | --- | --- |\n");
		selector.rules().forEach(rule -> md.append("| ").append(rule.type()).append(" | `")
				.append(rule.profile().substring(ProfileSelector.BASE.length())).append("` | ").append(rule.when()).append(" |\n"));

		md.append("\n## Our own rules\n\nWhat we refuse that the national guides (US Core 7.0.0, Plan-Net 1.1.0, SDOH ")
				.append("Clinical Care 2.2-3.0) would accept: deliberate data-quality rules, checked on every write, and ")
				.append("workflow rules, checked only where our workflow acts.\n\n| Rule | Where | What | Why |\n| --- | --- | --- | --- |\n");
		// One row per rule: a rule our profiles share (the NPI check on Practitioner and Organization) is one rule.
		java.util.Map<String, List<String>> where = new java.util.TreeMap<>();
		java.util.Map<String, org.hl7.fhir.r4.model.ElementDefinition.ElementDefinitionConstraintComponent> rules =
				new java.util.TreeMap<>();
		resources.stream().filter(r -> r instanceof StructureDefinition).map(r -> (StructureDefinition) r)
				.forEach(sd -> sd.getDifferential().getElement().forEach(e -> e.getConstraint().stream()
						.filter(c -> c.getRequirements() != null && c.getRequirements().startsWith(DATA_QUALITY))
						.forEach(c -> {
							rules.putIfAbsent(c.getKey(), c);
							where.computeIfAbsent(c.getKey(), k -> new ArrayList<>()).add(sd.getName() + " `" + e.getPath() + "`");
						})));
		rules.forEach((key, c) -> md.append("| `").append(key).append("` | ").append(String.join(", ", where.get(key)))
				.append(" | ").append(c.getHuman()).append(" | ")
				.append(c.getRequirements().substring(DATA_QUALITY.length()).replaceFirst("^:\\s*", "")).append(" |\n"));
		workflowRules.forEach(rule -> md.append("| workflow | referral Task status change | ").append(rule)
				.append(" | the step is refused with 422 (business-rule) |\n"));

		section(md, "Profiles", "Profile | Resource | Purpose", resources.stream()
				.filter(r -> r instanceof StructureDefinition sd && !"Extension".equals(sd.getType()))
				.map(r -> (StructureDefinition) r)
				.map(sd -> row(sd, sd.getType(), sd.getDescription())).toList());
		section(md, "Extensions", "Extension | Context | Purpose", resources.stream()
				.filter(r -> r instanceof StructureDefinition sd && "Extension".equals(sd.getType()))
				.map(r -> (StructureDefinition) r)
				.map(sd -> row(sd, String.join(", ", sd.getContext().stream().map(c -> c.getExpression()).toList()),
						sd.getDescription())).toList());
		section(md, "Search parameters", "Search parameter | Code and base | Expression", resources.stream()
				.filter(r -> r instanceof SearchParameter).map(r -> (SearchParameter) r)
				.map(sp -> row(sp, "`" + sp.getCode() + "` on " + String.join(", ", sp.getBase().stream()
						.map(b -> b.getCode()).toList()), "`" + sp.getExpression() + "`")).toList());
		section(md, "Operations", "Operation | Invoked as | Purpose", resources.stream()
				.filter(r -> r instanceof OperationDefinition).map(r -> (OperationDefinition) r)
				.map(op -> row(op, String.join(", ", op.getResource().stream()
						.map(type -> "`" + type.getCode() + (op.getInstance() ? "/[id]" : "") + "/$" + op.getCode() + "`").toList()),
						op.getDescription())).toList());
		section(md, "Questionnaires", "Questionnaire | Subject | Purpose", resources.stream()
				.filter(r -> r instanceof Questionnaire).map(r -> (Questionnaire) r)
				.map(q -> row(q, String.join(", ", q.getSubjectType().stream().map(c -> c.getCode()).toList()),
						q.getDescription())).toList());
		section(md, "Value sets", "Value set | Codes | Purpose", resources.stream()
				.filter(r -> r instanceof ValueSet).map(r -> (ValueSet) r)
				.map(vs -> row(vs, codeCount(vs), vs.getDescription())).toList());
		section(md, "Code systems", "Code system | Concepts | Purpose", resources.stream()
				.filter(r -> r instanceof CodeSystem).map(r -> (CodeSystem) r)
				.map(cs -> row(cs, String.valueOf(countConcepts(cs.getConcept())), cs.getDescription())).toList());
		return md.toString();
	}

	private static void section(StringBuilder md, String title, String header, List<String> rows) {
		md.append("\n## ").append(title).append(" (").append(rows.size()).append(")\n\n| ")
				.append(header.replace(" | ", " | ")).append(" |\n|")
				.append(" --- |".repeat(header.split("\\|").length)).append('\n');
		rows.stream().sorted(Comparator.naturalOrder()).forEach(r -> md.append(r).append('\n'));
	}

	private static String row(MetadataResource resource, String middle, String purpose) {
		return "| [" + resource.getName() + "](" + resource.getUrl() + ") | " + middle + " | " + firstSentence(purpose) + " |";
	}

	private static String firstSentence(String text) {
		if (text == null) {
			return "";
		}
		String flat = text.replaceAll("\\s+", " ").replace("|", "\\|").trim();
		java.util.regex.Matcher end = SENTENCE_END.matcher(flat);
		return end.find() ? flat.substring(0, end.start() + 1) : flat;
	}

	private static String codeCount(ValueSet vs) {
		int enumerated = vs.getCompose().getInclude().stream().mapToInt(i -> i.getConcept().size()).sum();
		long wholeSystems = vs.getCompose().getInclude().stream().filter(i -> i.getConcept().isEmpty()).count();
		return wholeSystems > 0 && enumerated == 0 ? "whole code system" : String.valueOf(enumerated);
	}

	private static int countConcepts(List<CodeSystem.ConceptDefinitionComponent> concepts) {
		return concepts.stream().mapToInt(c -> 1 + countConcepts(c.getConcept())).sum();
	}

	private static List<Resource> read(FhirContext fhirContext, NpmPackage npm) {
		List<Resource> resources = new ArrayList<>();
		try {
			for (String file : npm.listResources(Set.of(
					"StructureDefinition", "SearchParameter", "OperationDefinition", "Questionnaire", "ValueSet", "CodeSystem"))) {
				try (InputStream in = npm.load("package", file)) {
					resources.add((Resource) fhirContext.newJsonParser().parseResource(in));
				}
			}
		} catch (IOException e) {
			throw new UncheckedIOException("Cannot read package " + npm.name(), e);
		}
		return resources;
	}
}
