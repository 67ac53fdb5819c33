package org.equityfhir.guide;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;

/**
 * Tells clients in /fhir/metadata which of our profiles each resource type is held to, and when: the
 * words come from the same table the server enforces ({@link ProfileSelector#rules()}).
 */
class GuideCapabilityStatementInterceptor {

	static final String IMPLEMENTATION_GUIDE = "http://equityfhir.org/fhir/ImplementationGuide/org.equityfhir.ig";

	private final ProfileSelector selector;

	GuideCapabilityStatementInterceptor(ProfileSelector selector) {
		this.selector = selector;
	}

	@Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
	public void addSupportedProfiles(IBaseConformance generated) {
		CapabilityStatement cs = (CapabilityStatement) generated;
		cs.addImplementationGuide(IMPLEMENTATION_GUIDE);
		Map<String, List<ProfileSelector.Rule>> byType = selector.rulesByType();
		for (CapabilityStatement.CapabilityStatementRestComponent rest : cs.getRest()) {
			for (CapabilityStatement.CapabilityStatementRestResourceComponent resource : rest.getResource()) {
				List<ProfileSelector.Rule> rules = byType.get(resource.getType());
				if (rules != null) {
					// Ours first, in the rule's order; then what HAPI found installed (official profiles a
					// resource may declare, and which are validated when it does), each once.
					java.util.LinkedHashSet<String> profiles = new java.util.LinkedHashSet<>();
					rules.forEach(rule -> profiles.add(rule.profile()));
					resource.getSupportedProfile().forEach(p -> profiles.add(p.getValue()));
					resource.getSupportedProfile().clear();
					profiles.forEach(resource::addSupportedProfile);
					resource.setDocumentation(documentation(rules));
				}
			}
		}
	}

	/** One sentence per type, e.g. "Validated against community-service when ...; against equity-healthcare-service otherwise." */
	static String documentation(List<ProfileSelector.Rule> rules) {
		return "Validated against " + rules.stream()
				.map(rule -> rule.profile().substring(ProfileSelector.BASE.length()) + " " + rule.when())
				.collect(Collectors.joining("; against ")) + ".";
	}
}
