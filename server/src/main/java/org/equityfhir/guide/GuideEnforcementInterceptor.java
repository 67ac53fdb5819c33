package org.equityfhir.guide;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import org.equityfhir.api.InterceptorOrder;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.StringType;

/**
 * Enforces our guide on every create and update, inside the storage transaction: a resource that does
 * not meet the profile its type calls for is refused with 422 and an OperationOutcome naming each
 * error's FHIRPath location; nothing is stored (in a transaction Bundle, nothing at all).
 */
@Interceptor(order = InterceptorOrder.GUIDE_ENFORCEMENT)
public class GuideEnforcementInterceptor {

	private final FhirContext fhirContext;
	private final GuideValidator validator;

	public GuideEnforcementInterceptor(FhirContext fhirContext, GuideValidator validator) {
		this.fhirContext = fhirContext;
		this.validator = validator;
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
	public void beforeCreate(IBaseResource resource) {
		enforce(resource);
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void beforeUpdate(IBaseResource previous, IBaseResource updated) {
		enforce(updated);
	}

	private void enforce(IBaseResource resource) {
		List<String> profiles = new java.util.ArrayList<>(validator.selector().profilesFor(resource));
		// A profile the resource declares is checked too when the server knows it (ours, or an official one
		// installed from equity.ig.extra-packages); one it cannot resolve is the client's claim, not a rule.
		resource.getMeta().getProfile().stream()
				.map(p -> p.getValueAsString())
				.filter(p -> p != null && !profiles.contains(p) && validator.knowsProfile(p))
				.forEach(profiles::add);
		if (profiles.isEmpty()) {
			return;
		}
		ValidationResult result = validator.validate(resource);
		List<SingleValidationMessage> errors = result.getMessages().stream()
				.filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
				.toList();
		if (errors.isEmpty()) {
			return;
		}
		OperationOutcome outcome = new OperationOutcome();
		for (SingleValidationMessage error : errors) {
			OperationOutcome.OperationOutcomeIssueComponent issue = outcome.addIssue()
					.setSeverity(OperationOutcome.IssueSeverity.ERROR)
					.setCode(OperationOutcome.IssueType.INVALID)
					.setDiagnostics(error.getMessage());
			if (error.getLocationString() != null) {
				issue.addExpression(error.getLocationString());
				issue.getLocation().add(new StringType(error.getLocationString()));
			}
		}
		String type = fhirContext.getResourceType(resource);
		throw new UnprocessableEntityException(
				fhirContext,
				outcome.addIssue(new OperationOutcome.OperationOutcomeIssueComponent()
						.setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
						.setCode(OperationOutcome.IssueType.INFORMATIONAL)
						.setDiagnostics(type + " does not conform to " + String.join(", ", profiles)
								+ " (" + errors.size() + " error" + (errors.size() == 1 ? "" : "s") + ")")));
	}
}
