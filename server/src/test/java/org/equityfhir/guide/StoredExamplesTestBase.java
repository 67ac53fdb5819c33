package org.equityfhir.guide;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.DynamicTest;

/**
 * Stores examples the way a system that already writes national-guide data would: each with its own id
 * (PUT), referenced resources first, one test per example so that each refusal reads on its own.
 */
abstract class StoredExamplesTestBase extends FhirServerTestBase {

	/**
	 * One dynamic test per example, run in the order given (dependency order). A refusal names the
	 * error issues of the answer and any referenced example refused before it, so a refusal caused only
	 * by a missing target is told apart from one about the resource itself.
	 */
	protected Stream<DynamicTest> putEachInOrder(List<StorableExamples.Example> ordered) {
		Set<String> refused = ConcurrentHashMap.newKeySet();
		return ordered.stream().map(example -> DynamicTest.dynamicTest(example.toString(), () -> {
			// Definitions (Questionnaire, ...) are the operator's to publish; everything else an EHR sends.
			String client = org.equityfhir.security.AccessPolicy.CONFORMANCE.contains(example.resource().fhirType())
					? org.equityfhir.testsupport.TestClients.ADMIN : actingAs();
			HttpResponse<String> response = send(request(example.key()).header("Content-Type", FHIR_JSON)
					.header("Authorization", "Bearer " + tokenFor(client))
					.PUT(java.net.http.HttpRequest.BodyPublishers.ofString(json(example.resource()))));
			boolean accepted = response.statusCode() == 200 || response.statusCode() == 201;
			if (!accepted) {
				refused.add(example.key());
			}
			assertThat(response.statusCode())
					.as(() -> refusal(example, response, refused))
					.isIn(200, 201);
		}));
	}

	private String refusal(StorableExamples.Example example, HttpResponse<String> response, Set<String> refused) {
		Set<String> refusedTargets = new TreeSet<>(StorableExamples.references(example.resource()));
		refusedTargets.retainAll(refused);
		return "PUT " + example.key() + " from " + example.source() + " answered " + response.statusCode() + ": "
				+ errorIssues(response.body())
				+ (refusedTargets.isEmpty() ? "" : " | it references examples refused before it: " + refusedTargets);
	}

	/** "[expression] diagnostics" for each error of the OperationOutcome, or the start of a body that is not one. */
	static String errorIssues(String body) {
		OperationOutcome outcome;
		try {
			outcome = (OperationOutcome) FhirContext.forR4Cached().newJsonParser().parseResource(body);
		} catch (RuntimeException notAnOutcome) {
			return "(not an OperationOutcome) " + body.substring(0, Math.min(300, body.length()));
		}
		return outcome.getIssue().stream()
				.filter(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
						|| i.getSeverity() == OperationOutcome.IssueSeverity.FATAL)
				.map(i -> "[" + i.getExpression().stream().map(e -> e.getValue()).collect(Collectors.joining(", ")) + "] "
						+ i.getDiagnostics())
				.collect(Collectors.joining(" || "));
	}

	/** A readable list of dangling references, for an assertion message. */
	static String describe(Map<String, Set<String>> dangling) {
		return dangling.entrySet().stream()
				.map(e -> e.getKey() + " -> " + e.getValue())
				.collect(Collectors.joining("; "));
	}
}
