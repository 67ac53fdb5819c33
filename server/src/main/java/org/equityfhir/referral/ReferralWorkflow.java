package org.equityfhir.referral;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Task.TaskStatus;

/**
 * The referral Task's state machine: which status may follow which. This table is the one the server
 * enforces, the one docs/referrals.md prints and the one every refusal quotes. It follows the SDOH Clinical
 * Care guide's diagram; {@code ready} and {@code received} are never allowed (the guide's profile excludes
 * them), and any status may be corrected to {@code entered-in-error}.
 */
public final class ReferralWorkflow {

	private static final Map<TaskStatus, List<TaskStatus>> NEXT = new LinkedHashMap<>();

	static {
		NEXT.put(TaskStatus.DRAFT, List.of(TaskStatus.REQUESTED));
		NEXT.put(TaskStatus.REQUESTED, List.of(TaskStatus.ACCEPTED, TaskStatus.REJECTED, TaskStatus.CANCELLED));
		NEXT.put(TaskStatus.ACCEPTED, List.of(
				TaskStatus.INPROGRESS, TaskStatus.ONHOLD, TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED));
		NEXT.put(TaskStatus.INPROGRESS, List.of(
				TaskStatus.ONHOLD, TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED));
		NEXT.put(TaskStatus.ONHOLD, List.of(
				TaskStatus.INPROGRESS, TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED));
	}

	/** Statuses after which nothing follows but a correction to entered-in-error. */
	static final List<TaskStatus> FINAL = List.of(
			TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.REJECTED, TaskStatus.CANCELLED, TaskStatus.ENTEREDINERROR);

	/** Statuses a referral never takes (SDOH Clinical Care's Task profile excludes them). */
	static final List<TaskStatus> NEVER = List.of(TaskStatus.READY, TaskStatus.RECEIVED);

	private ReferralWorkflow() {}

	/** The statuses a referral in {@code from} may move to, in the table's order. */
	public static List<TaskStatus> allowedAfter(TaskStatus from) {
		List<TaskStatus> next = new java.util.ArrayList<>(NEXT.getOrDefault(from, List.of()));
		if (from != TaskStatus.ENTEREDINERROR && !NEVER.contains(from)) {
			next.add(TaskStatus.ENTEREDINERROR);
		}
		return next;
	}

	public static boolean allows(TaskStatus from, TaskStatus to) {
		return allowedAfter(from).contains(to);
	}

	/** The sentence a refused step answers with. */
	static String refusal(TaskStatus from, TaskStatus to) {
		List<TaskStatus> allowed = allowedAfter(from);
		String why = NEVER.contains(to)
				? "'" + to.toCode() + "' is never used for a referral (the SDOH Clinical Care guide excludes it)"
				: "a referral task cannot move from '" + from.toCode() + "' to '" + to.toCode() + "'";
		return allowed.isEmpty()
				? why + "; '" + from.toCode() + "' is final"
				: why + "; from '" + from.toCode() + "' it may move to " + codes(allowed);
	}

	/** The table as Markdown, for docs/referrals.md. */
	public static String markdownTable() {
		StringBuilder md = new StringBuilder("| from | allowed next status |\n| --- | --- |\n");
		NEXT.forEach((from, next) -> md.append("| ").append(from.toCode()).append(" | ")
				.append(next.stream().map(TaskStatus::toCode).collect(Collectors.joining(", "))).append(" |\n"));
		md.append("| any but entered-in-error | entered-in-error |\n");
		return md.toString();
	}

	/** The table in one sentence, for the guide's list of our own rules. */
	public static String summary() {
		return "A referral task's status moves only along the workflow's table (docs/referrals.md): "
				+ NEXT.entrySet().stream().map(e -> e.getKey().toCode() + " to " + codes(e.getValue()))
						.collect(Collectors.joining("; "))
				+ "; any to entered-in-error; " + and(NEVER) + " never.";
	}

	/** One sentence each for the final and forbidden statuses, for the docs. */
	public static List<String> notes() {
		return List.of(
				and(FINAL) + " are final: nothing follows them but a correction to entered-in-error.",
				and(NEVER) + " are never allowed (the SDOH Clinical Care guide excludes them).");
	}

	private static String codes(List<TaskStatus> statuses) {
		return joined(statuses, " or ");
	}

	private static String and(List<TaskStatus> statuses) {
		return joined(statuses, " and ");
	}

	private static String joined(List<TaskStatus> statuses, String last) {
		List<String> codes = statuses.stream().map(TaskStatus::toCode).toList();
		return codes.size() == 1 ? codes.get(0)
				: String.join(", ", codes.subList(0, codes.size() - 1)) + last + codes.get(codes.size() - 1);
	}
}
