package org.equityfhir.referral;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.Arrays;
import org.equityfhir.api.InterceptorOrder;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;

/**
 * Checks a referral Task's status change against {@link ReferralTransition}, inside the storage
 * transaction, so that nothing is stored when a step is refused (422, business-rule).
 */
@Interceptor(order = InterceptorOrder.WORKFLOW_RULES)
class ReferralTransitionInterceptor {

	private static final String TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code";

	private final FhirContext fhirContext;

	ReferralTransitionInterceptor(FhirContext fhirContext) {
		this.fhirContext = fhirContext;
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void beforeUpdate(IBaseResource previous, IBaseResource updated) {
		if (!(updated instanceof Task task) || !(previous instanceof Task before) || !isReferral(task)
				|| task.getStatus() == before.getStatus()) {
			return;
		}
		Arrays.stream(ReferralTransition.values())
				.filter(rule -> rule.appliesTo(task.getStatus()) && !rule.isMet(task))
				.findFirst()
				.ifPresent(rule -> {
					OperationOutcome outcome = new OperationOutcome();
					outcome.addIssue()
							.setSeverity(OperationOutcome.IssueSeverity.ERROR)
							.setCode(OperationOutcome.IssueType.BUSINESSRULE)
							.setDiagnostics(rule.refusal(task.getStatus()))
							.addExpression(rule.element())
							.getLocation().add(new StringType(rule.element()));
					throw new UnprocessableEntityException(fhirContext, outcome);
				});
	}

	private static boolean isReferral(Task task) {
		return task.getCode().getCoding().stream()
				.anyMatch(c -> TASK_CODE.equals(c.getSystem()) && "fulfill".equals(c.getCode()));
	}
}
