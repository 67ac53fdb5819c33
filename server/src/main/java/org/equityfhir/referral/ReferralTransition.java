package org.equityfhir.referral;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.HealthcareService;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.Task.TaskStatus;

/**
 * What a referral Task must carry when the workflow moves it into a status: checked where the server acts
 * (at the status change), not when a referral arrives from elsewhere. The docs and the errors read these
 * sentences; {@link ReferralWorkflow} holds the allowed steps.
 */
public enum ReferralTransition {
	OWNER_WHEN_TAKEN(
			Set.of(TaskStatus.ACCEPTED, TaskStatus.INPROGRESS, TaskStatus.ONHOLD, TaskStatus.COMPLETED),
			"Task.owner",
			"needs an owner (the organization, service or person doing the work)") {
		@Override
		boolean isMet(Task task, Facts facts) {
			return task.hasOwner() && task.getOwner().hasReference();
		}
	},
	OWNER_IS_THE_PERFORMER(
			Set.of(TaskStatus.ACCEPTED),
			"Task.owner",
			"must be owned by the performer its ServiceRequest names, or by one of that organization's "
					+ "HealthcareServices, when the ServiceRequest names one") {
		@Override
		boolean isMet(Task task, Facts facts) {
			Optional<ServiceRequest> referral = facts.focus(task);
			if (referral.isEmpty() || !referral.get().hasPerformer() || !task.getOwner().hasReference()) {
				return true;
			}
			String owner = task.getOwner().getReference();
			List<String> performers = referral.get().getPerformer().stream().map(Reference::getReference).toList();
			if (performers.contains(owner)) {
				return true;
			}
			return facts.resolve(task.getOwner())
					.filter(HealthcareService.class::isInstance)
					.map(HealthcareService.class::cast)
					.map(service -> performers.contains(service.getProvidedBy().getReference()))
					.orElse(false);
		}
	},
	REASON_WHEN_STOPPED(
			Set.of(TaskStatus.REJECTED, TaskStatus.CANCELLED, TaskStatus.FAILED, TaskStatus.ONHOLD),
			"Task.statusReason",
			"needs a statusReason with text saying why") {
		@Override
		boolean isMet(Task task, Facts facts) {
			return task.hasStatusReason() && task.getStatusReason().hasText();
		}
	},
	OUTCOME_WHEN_COMPLETED(
			Set.of(TaskStatus.COMPLETED),
			"Task.output",
			"needs an output of type resulting-activity that references a Procedure based on its ServiceRequest "
					+ "(what was done)") {
		@Override
		boolean isMet(Task task, Facts facts) {
			String referral = task.getFocus().getReference();
			return task.getOutput().stream()
					.filter(output -> output.getType().getCoding().stream()
							.anyMatch(c -> SDOHCC_CODES.equals(c.getSystem()) && RESULTING_ACTIVITY.equals(c.getCode())))
					.filter(output -> output.getValue() instanceof Reference)
					.map(output -> facts.resolve((Reference) output.getValue()))
					.flatMap(Optional::stream)
					.filter(Procedure.class::isInstance)
					.map(Procedure.class::cast)
					.anyMatch(procedure -> procedure.getBasedOn().stream().anyMatch(b -> b.getReference().equals(referral)));
		}
	};

	static final String SDOHCC_CODES = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes";
	static final String RESULTING_ACTIVITY = "resulting-activity";

	/** What the rules may look up: the stored resources a Task points at, as of the running transaction. */
	interface Facts {
		Optional<IBaseResource> resolve(Reference reference);

		default Optional<ServiceRequest> focus(Task task) {
			return resolve(task.getFocus()).filter(ServiceRequest.class::isInstance).map(ServiceRequest.class::cast);
		}
	}

	private final Set<TaskStatus> into;
	private final String element;
	private final String needs;

	ReferralTransition(Set<TaskStatus> into, String element, String needs) {
		this.into = into;
		this.element = element;
		this.needs = needs;
	}

	boolean appliesTo(TaskStatus status) {
		return into.contains(status);
	}

	abstract boolean isMet(Task task, Facts facts);

	public String element() {
		return element;
	}

	/** E.g. "A referral task moved to accepted, completed, in-progress or on-hold needs an owner (...)". */
	public String describe() {
		return "A referral task moved to " + statuses() + " " + needs + ".";
	}

	String refusal(TaskStatus status) {
		return "A referral task moved to '" + status.toCode() + "' " + needs + " (" + element + ")";
	}

	private String statuses() {
		List<String> codes = into.stream().sorted().map(TaskStatus::toCode).toList();
		return codes.size() == 1 ? codes.get(0)
				: String.join(", ", codes.subList(0, codes.size() - 1)) + " or " + codes.get(codes.size() - 1);
	}
}
