package org.equityfhir.referral;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.Arrays;
import java.util.Optional;
import org.equityfhir.api.InterceptorOrder;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.ServiceRequest.ServiceRequestStatus;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Task.TaskStatus;

/**
 * Enforces the referral workflow on every write path, inside the storage transaction, so that nothing is
 * stored when a step is refused (422, business-rule), in a transaction Bundle too: the step must be in
 * {@link ReferralWorkflow}'s table and meet every {@link ReferralTransition}. Once a step is taken, the
 * ServiceRequest follows its Task: completed with it, revoked when the referral is cancelled.
 */
@Interceptor(order = InterceptorOrder.WORKFLOW_RULES)
class ReferralTransitionInterceptor {

	private static final String TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code";

	private final FhirContext fhirContext;
	private final DaoRegistry daos;

	ReferralTransitionInterceptor(FhirContext fhirContext, DaoRegistry daos) {
		this.fhirContext = fhirContext;
		this.daos = daos;
	}

	/** The referral Task whose status this update changes, or null. */
	private static Task statusChange(IBaseResource previous, IBaseResource updated) {
		return updated instanceof Task task && previous instanceof Task before && isReferral(task)
				&& task.getStatus() != before.getStatus() ? task : null;
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void beforeUpdate(IBaseResource previous, IBaseResource updated) {
		Task task = statusChange(previous, updated);
		if (task == null) {
			return;
		}
		TaskStatus from = ((Task) previous).getStatus();
		TaskStatus to = task.getStatus();
		if (from != null && to != null && !ReferralWorkflow.allows(from, to)) {
			throw refused(ReferralWorkflow.refusal(from, to), "Task.status");
		}
		ReferralTransition.Facts facts = this::resolve;
		Arrays.stream(ReferralTransition.values())
				.filter(rule -> rule.appliesTo(to) && !rule.isMet(task, facts))
				.findFirst()
				.ifPresent(rule -> {
					throw refused(rule.refusal(to), rule.element());
				});
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void afterUpdate(IBaseResource previous, IBaseResource updated) {
		Task task = statusChange(previous, updated);
		if (task == null) {
			return;
		}
		ServiceRequestStatus follows = switch (task.getStatus()) {
			case COMPLETED -> ServiceRequestStatus.COMPLETED;
			case CANCELLED -> ServiceRequestStatus.REVOKED;
			default -> null;
		};
		if (follows == null) {
			return;
		}
		resolve(task.getFocus()).filter(ServiceRequest.class::isInstance).map(ServiceRequest.class::cast)
				.filter(referral -> referral.getStatus() == ServiceRequestStatus.ACTIVE
						|| referral.getStatus() == ServiceRequestStatus.ONHOLD
						|| referral.getStatus() == ServiceRequestStatus.DRAFT)
				.ifPresent(referral -> {
					referral.setStatus(follows);
					dao("ServiceRequest").update(referral, new SystemRequestDetails());
				});
	}

	private Optional<IBaseResource> resolve(Reference reference) {
		if (reference == null || !reference.hasReference() || reference.getReference().startsWith("#")) {
			return Optional.empty();
		}
		IdType id = new IdType(reference.getReference());
		if (!id.hasResourceType() || !id.hasIdPart() || !daos.isResourceTypeSupported(id.getResourceType())) {
			return Optional.empty();
		}
		try {
			return Optional.of(dao(id.getResourceType()).read(id.toUnqualifiedVersionless(), new SystemRequestDetails()));
		} catch (ResourceNotFoundException | ResourceGoneException e) {
			return Optional.empty();
		}
	}

	@SuppressWarnings("unchecked")
	private IFhirResourceDao<IBaseResource> dao(String type) {
		return (IFhirResourceDao<IBaseResource>) daos.getResourceDao(type);
	}

	private UnprocessableEntityException refused(String diagnostics, String element) {
		OperationOutcome outcome = new OperationOutcome();
		outcome.addIssue()
				.setSeverity(OperationOutcome.IssueSeverity.ERROR)
				.setCode(OperationOutcome.IssueType.BUSINESSRULE)
				.setDiagnostics(diagnostics)
				.addExpression(element)
				.getLocation().add(new StringType(element));
		return new UnprocessableEntityException(fhirContext, outcome);
	}

	static boolean isReferral(Task task) {
		return task.getCode().getCoding().stream()
				.anyMatch(c -> TASK_CODE.equals(c.getSystem()) && "fulfill".equals(c.getCode()));
	}
}
