package org.equityfhir.guidebuild;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.CodeSystem.ConceptDefinitionComponent;
import org.hl7.fhir.r4.model.MetadataResource;
import org.hl7.fhir.r4.model.ValueSet;
import org.hl7.fhir.r4.model.ValueSet.ConceptSetComponent;
import org.hl7.fhir.r4.model.ValueSet.ConceptSetFilterComponent;

/**
 * The human-readable narrative of a conformance resource, written from what the resource already says
 * (title, description, the codes of a value set or code system), so nobody types it twice.
 */
final class Narratives {

	private static final Pattern TAG = Pattern.compile("<[^>]*>");
	private static final Pattern NUMERIC_ENTITY = Pattern.compile("&#(x?)([0-9a-fA-F]+);");

	private Narratives() {}

	static String generate(MetadataResource resource) {
		StringBuilder div = new StringBuilder("<div xmlns=\"http://www.w3.org/1999/xhtml\">");
		String heading = resource.hasTitle() ? resource.getTitle() : resource.getName();
		if (heading != null) {
			div.append("<p><b>").append(escape(heading)).append("</b></p>");
		}
		if (resource.hasDescription()) {
			div.append("<p>").append(escape(resource.getDescription())).append("</p>");
		}
		if (resource instanceof ValueSet vs && vs.hasCompose()) {
			composition(div, "Includes", vs.getCompose().getInclude());
			composition(div, "Excludes", vs.getCompose().getExclude());
		}
		if (resource instanceof CodeSystem cs && cs.hasConcept()) {
			div.append("<table class=\"grid\"><tr><td><b>Level</b></td><td><b>Code</b></td><td><b>Display</b></td></tr>");
			concepts(div, cs.getConcept(), 1);
			div.append("</table>");
		}
		return div.append("</div>").toString();
	}

	private static void composition(StringBuilder div, String verb, List<ConceptSetComponent> parts) {
		StringBuilder rows = new StringBuilder();
		for (ConceptSetComponent part : parts) {
			if (part.hasConcept()) {
				part.getConcept().forEach(c -> rows.append("<tr><td>").append(escape(part.getSystem()))
						.append("</td><td>").append(escape(c.getCode()))
						.append("</td><td>").append(escape(c.getDisplay())).append("</td></tr>"));
				continue;
			}
			StringBuilder sentence = new StringBuilder(verb);
			if (part.hasSystem()) {
				sentence.append(part.hasFilter() ? " the codes from " : " all codes from ").append(part.getSystem());
			}
			for (ConceptSetFilterComponent filter : part.getFilter()) {
				sentence.append(" where ").append(filter.getProperty()).append(' ')
						.append(filter.getOp() == null ? "" : filter.getOp().toCode()).append(' ').append(filter.getValue());
			}
			part.getValueSet().forEach(v -> sentence.append(part.hasSystem() ? " and in " : " the codes of ").append(v.getValue()));
			div.append("<p>").append(escape(sentence.append('.').toString())).append("</p>");
		}
		if (!rows.isEmpty()) {
			if (verb.equals("Excludes")) {
				div.append("<p>Excludes these codes:</p>");
			}
			div.append("<table class=\"grid\"><tr><td><b>System</b></td><td><b>Code</b></td><td><b>Display</b></td></tr>")
					.append(rows).append("</table>");
		}
	}

	private static void concepts(StringBuilder div, List<ConceptDefinitionComponent> concepts, int level) {
		for (ConceptDefinitionComponent c : concepts) {
			div.append("<tr><td>").append(level).append("</td><td>").append(escape(c.getCode()))
					.append("</td><td>").append(escape(c.getDisplay())).append("</td></tr>");
			concepts(div, c.getConcept(), level + 1);
		}
	}

	static int countConcepts(List<ConceptDefinitionComponent> concepts) {
		return concepts.stream().mapToInt(c -> 1 + countConcepts(c.getConcept())).sum();
	}

	/**
	 * Whether a narrative says nothing that {@code generated} does not, whatever its markup and
	 * punctuation: its words occur, in order, in the generated one (a hand-written narrative that
	 * repeats the title and the description, or a part of it, is not worth keeping).
	 */
	static boolean addsNothingTo(String div, String generated) {
		return words(generated).contains(words(div));
	}

	private static String words(String xhtml) {
		String text = TAG.matcher(xhtml).replaceAll(" ");
		Matcher m = NUMERIC_ENTITY.matcher(text);
		StringBuilder decoded = new StringBuilder();
		while (m.find()) {
			int cp = Integer.parseInt(m.group(2), m.group(1).isEmpty() ? 10 : 16);
			m.appendReplacement(decoded, Matcher.quoteReplacement(Character.toString(cp)));
		}
		m.appendTail(decoded);
		text = decoded.toString().replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
				.replace("&apos;", "'").replace("&amp;", "&");
		StringBuilder letters = new StringBuilder();
		text.codePoints().filter(Character::isLetterOrDigit).map(Character::toLowerCase).forEach(letters::appendCodePoint);
		return letters.toString();
	}

	static String escape(String text) {
		if (text == null) {
			return "";
		}
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}
}
