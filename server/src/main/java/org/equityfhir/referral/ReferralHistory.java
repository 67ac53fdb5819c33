package org.equityfhir.referral;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Task;

/**
 * When a referral Task was sent, first taken on, and first completed, read from its own history: the
 * server's record of the loop, used by {@code $referral-metrics} and the equity measures alike.
 */
public record ReferralHistory(Instant sent, Instant acceptedAt, Instant closedAt, boolean everAccepted, boolean everRejected) {

	private static final int MAX_VERSIONS = 1000;

	public static ReferralHistory of(DaoRegistry daos, Task task) {
		@SuppressWarnings("unchecked")
		IFhirResourceDao<Task> dao = (IFhirResourceDao<Task>) daos.getResourceDao("Task");
		List<IBaseResource> versions = new ArrayList<>(dao.history(task.getIdElement().toUnqualifiedVersionless(), null, null, null,
				new SystemRequestDetails()).getResources(0, MAX_VERSIONS));
		versions.sort((a, b) -> Long.compare(a.getIdElement().getVersionIdPartAsLong(), b.getIdElement().getVersionIdPartAsLong()));
		Instant accepted = null;
		Instant closed = null;
		boolean everAccepted = false;
		boolean everRejected = false;
		for (IBaseResource version : versions) {
			Task.TaskStatus status = ((Task) version).getStatus();
			Instant at = version.getMeta().getLastUpdated() == null ? null : version.getMeta().getLastUpdated().toInstant();
			boolean takenOn = status == Task.TaskStatus.ACCEPTED || status == Task.TaskStatus.INPROGRESS
					|| status == Task.TaskStatus.ONHOLD || status == Task.TaskStatus.COMPLETED || status == Task.TaskStatus.FAILED;
			if (takenOn && !everAccepted) {
				everAccepted = true;
				accepted = at;
			}
			if (status == Task.TaskStatus.REJECTED) {
				everRejected = true;
			}
			if (status == Task.TaskStatus.COMPLETED && closed == null) {
				closed = at;
			}
		}
		Instant sent = task.hasAuthoredOn() ? task.getAuthoredOn().toInstant()
				: versions.isEmpty() ? null : versions.get(0).getMeta().getLastUpdated().toInstant();
		return new ReferralHistory(sent, accepted, closed, everAccepted, everRejected);
	}
}
