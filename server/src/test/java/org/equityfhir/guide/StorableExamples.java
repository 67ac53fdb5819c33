package org.equityfhir.guide;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Resource;

/**
 * Example resources to store one by one with their own ids (PUT), each after every resource it
 * references, because the server refuses a reference to a resource it does not hold.
 */
final class StorableExamples {

	private static final FhirContext FHIR = FhirContext.forR4Cached();

	/** One example: where it came from (a package file or a fixture) and the resource as it will be sent. */
	record Example(String source, Resource resource, String note) {
		Example(String source, Resource resource) {
			this(source, resource, null);
		}

		/** "Type/id", the URL it is PUT to and what other examples reference. */
		String key() {
			return resource.fhirType() + "/" + resource.getIdElement().getIdPart();
		}

		Example withNote(String newNote) {
			return new Example(source, resource, newNote);
		}

		@Override
		public String toString() {
			return note == null ? key() : key() + " (" + note + ")";
		}
	}

	private StorableExamples() {}

	/** The "Type/id" of every resource this one references, contained and external references left out. */
	static Set<String> references(Resource resource) {
		Set<String> keys = new TreeSet<>();
		FHIR.newTerser().getAllResourceReferences(resource).forEach(info -> {
			IIdType target = info.getResourceReference().getReferenceElement();
			if (target != null && !target.isEmpty() && !target.isLocal() && !target.hasBaseUrl()
					&& target.hasResourceType() && target.hasIdPart()) {
				keys.add(target.getResourceType() + "/" + target.getIdPart());
			}
		});
		return keys;
	}

	/** For each example whose references leave the set: the keys it references that the set lacks. */
	static Map<String, Set<String>> danglingReferences(List<Example> examples) {
		Set<String> present = keys(examples);
		Map<String, Set<String>> dangling = new TreeMap<>();
		for (Example example : examples) {
			Set<String> missing = new TreeSet<>(references(example.resource()));
			missing.removeAll(present);
			missing.remove(example.key());
			if (!missing.isEmpty()) {
				dangling.put(example.key(), missing);
			}
		}
		return dangling;
	}

	/**
	 * Referenced resources first (Kahn's algorithm); among resources free to go, the input order is kept,
	 * so the sequence is reproducible. A reference cycle cannot be stored one PUT at a time, so it fails.
	 */
	static List<Example> inDependencyOrder(List<Example> examples) {
		Map<String, Example> byKey = new LinkedHashMap<>();
		for (Example example : examples) {
			if (byKey.put(example.key(), example) != null) {
				throw new IllegalArgumentException("Two examples share the id " + example.key());
			}
		}
		Map<String, Set<String>> waitingFor = new HashMap<>();
		Map<String, List<String>> dependents = new HashMap<>();
		for (Example example : examples) {
			Set<String> targets = new LinkedHashSet<>(references(example.resource()));
			targets.retainAll(byKey.keySet());
			targets.remove(example.key());
			waitingFor.put(example.key(), targets);
			targets.forEach(t -> dependents.computeIfAbsent(t, k -> new ArrayList<>()).add(example.key()));
		}
		Deque<String> ready = new ArrayDeque<>();
		byKey.keySet().stream().filter(k -> waitingFor.get(k).isEmpty()).forEach(ready::add);
		List<Example> ordered = new ArrayList<>();
		while (!ready.isEmpty()) {
			String key = ready.poll();
			ordered.add(byKey.get(key));
			for (String dependent : dependents.getOrDefault(key, List.of())) {
				Set<String> remaining = waitingFor.get(dependent);
				remaining.remove(key);
				if (remaining.isEmpty()) {
					ready.add(dependent);
				}
			}
		}
		if (ordered.size() != examples.size()) {
			Set<String> cyclic = new TreeSet<>(byKey.keySet());
			ordered.forEach(e -> cyclic.remove(e.key()));
			throw new IllegalStateException("Reference cycle, cannot be stored one PUT at a time: " + cyclic);
		}
		return ordered;
	}

	static Set<String> keys(List<Example> examples) {
		Set<String> keys = new TreeSet<>();
		examples.forEach(e -> keys.add(e.key()));
		return keys;
	}
}
