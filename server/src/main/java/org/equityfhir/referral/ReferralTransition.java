package org.equityfhir.referral;

import java.util.Set;
import java.util.function.Predicate;
import org.hl7.fhir.r4.model.Task;

/**
 * What a referral Task must carry when the workflow moves it into a status: checked where the server acts
 * (at the status change), not when a referral arrives from elsewhere. The docs and the errors read these
 * sentences; the referral issue's state machine adds the allowed edges.
 */
public enum ReferralTransition {
	OWNER_WHEN_TAKEN(
			Set.of(Task.TaskStatus.ACCEPTED, Task.TaskStatus.INPROGRESS, Task.TaskStatus.ONHOLD, Task.TaskStatus.COMPLETED),
			"Task.owner",
			"needs an owner (the organization, service or person doing the work)",
			Task::hasOwner),
	REASON_WHEN_STOPPED(
			Set.of(Task.TaskStatus.REJECTED, Task.TaskStatus.CANCELLED, Task.TaskStatus.FAILED),
			"Task.statusReason",
			"needs a statusReason with text saying why",
			task -> task.hasStatusReason() && task.getStatusReason().hasText());

	private final Set<Task.TaskStatus> into;
	private final String element;
	private final String needs;
	private final Predicate<Task> met;

	ReferralTransition(Set<Task.TaskStatus> into, String element, String needs, Predicate<Task> met) {
		this.into = into;
		this.element = element;
		this.needs = needs;
		this.met = met;
	}

	boolean appliesTo(Task.TaskStatus status) {
		return into.contains(status);
	}

	boolean isMet(Task task) {
		return met.test(task);
	}

	public String element() {
		return element;
	}

	/** E.g. "A referral task moved to accepted, in-progress, on-hold or completed needs an owner (...)". */
	public String describe() {
		return "A referral task moved to " + statuses() + " " + needs + ".";
	}

	String refusal(Task.TaskStatus status) {
		return "A referral task moved to '" + status.toCode() + "' " + needs + " (" + element + ")";
	}

	private String statuses() {
		java.util.List<String> codes = into.stream().sorted().map(Task.TaskStatus::toCode).toList();
		return String.join(", ", codes.subList(0, codes.size() - 1)) + " or " + codes.get(codes.size() - 1);
	}
}
