package org.equityfhir.testsupport;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs PostgreSQL tests when a server is reachable. Without one they are skipped with a visible
 * message, except under CI=true, where a missing PostgreSQL fails the run.
 */
public class PostgresRequired implements ExecutionCondition {

	@Override
	public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
		if (PostgresTestDatabase.isReachable()) {
			return ConditionEvaluationResult.enabled("PostgreSQL reachable at " + PostgresTestDatabase.describe());
		}
		String message = "PostgreSQL is not reachable at " + PostgresTestDatabase.describe()
				+ " (set EQUITY_TEST_DB_URL, EQUITY_TEST_DB_USER, EQUITY_TEST_DB_PASSWORD)";
		if ("true".equalsIgnoreCase(System.getenv("CI"))) {
			throw new ExtensionConfigurationException("CI=true requires PostgreSQL tests: " + message);
		}
		System.err.println("WARNING: skipping PostgreSQL tests: " + message);
		return ConditionEvaluationResult.disabled("SKIPPED (no PostgreSQL): " + message);
	}
}
