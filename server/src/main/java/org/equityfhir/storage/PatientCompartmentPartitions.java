package org.equityfhir.storage;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.model.ReadPartitionIdRequestDetails;
import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.interceptor.PatientIdPartitionInterceptor;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.util.JpaConstants;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractor;
import ca.uhn.fhir.model.api.IQueryParameterType;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.util.OperationOutcomeUtil;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * With {@code equity.db.partitioning=patient-compartment}, chooses each resource's partition with HAPI's own
 * {@link PatientIdPartitionInterceptor}: a resource in a Patient's compartment goes to the partition numbered
 * from that patient's id (HAPI's algorithm, so any HAPI tool agrees), anything else to partition 0.
 * Server-assigned ids are UUIDs given before the partition is chosen, and placeholders ({@code urn:uuid:})
 * in a transaction are followed to the patient they name, so ordinary clients need nothing special.
 * Searches that name one patient read that partition only, searches for types outside the compartment read
 * partition 0 (where they all are), and the rest read every partition.
 */
@Component
class PatientCompartmentPartitions {

	static final int DEFAULT_PARTITION_ID = 0;

	PatientCompartmentPartitions(DatabaseProperties db, FhirContext fhirContext, ISearchParamExtractor extractor,
			PartitionSettings partitionSettings, IInterceptorService storageInterceptors, DataSource dataSource) {
		if (db.partitioning() == Partitioning.PATIENT_COMPARTMENT) {
			storageInterceptors.registerInterceptor(new Placement(fhirContext, extractor, partitionSettings, dataSource));
		}
	}

	/** HAPI's interceptor, with the four changes the whole suite needed in this mode (each described below). */
	static final class Placement extends PatientIdPartitionInterceptor {
		private final FhirContext fhirContext;
		private final JdbcTemplate jdbc;

		Placement(FhirContext fhirContext, ISearchParamExtractor extractor, PartitionSettings partitionSettings,
				DataSource dataSource) {
			super(fhirContext, extractor, partitionSettings);
			this.fhirContext = fhirContext;
			this.jdbc = new JdbcTemplate(dataSource);
		}

		/**
		 * HAPI's interceptor refuses (405) a resource of a compartment type that names no patient: an Encounter
		 * without a subject, a clinician's own QuestionnaireResponse, an Observation about a Location. FHIR allows
		 * them and our guide judges them; here they are stored in partition 0, like the directory.
		 */
		@Override
		protected RequestPartitionId throwNonCompartmentMemberInstanceFailureResponse(IBaseResource resource) {
			return RequestPartitionId.fromPartitionId(DEFAULT_PARTITION_ID);
		}

		/**
		 * A Patient created in a transaction is asked for its partition before HAPI gives it its id; it gets
		 * that id (a UUID, as HAPI would give it) here, through HAPI's own "server-assigned id" user data, so
		 * the partition is computed from the id it is stored under.
		 */
		@Override
		public RequestPartitionId identifyForCreate(IBaseResource resource, RequestDetails request) {
			if ("Patient".equals(resource.fhirType()) && !resource.getIdElement().hasIdPart()) {
				String id = UUID.randomUUID().toString();
				resource.setUserData(JpaConstants.RESOURCE_ID_SERVER_ASSIGNED_VALUE, id);
				resource.setUserData(JpaConstants.RESOURCE_ID_SERVER_ASSIGNED, Boolean.TRUE);
				resource.setId(id);
			}
			RequestPartitionId partition = super.identifyForCreate(resource, request);
			refuseAMoveToAnotherPartition(resource, partition);
			return partition;
		}

		/**
		 * An update whose new content names another patient would be stored in that patient's partition next to
		 * the old resource (HAPI looks for it only in the new partition), leaving two resources with one id. It
		 * is refused, and says what to do. Ids the server just assigned need no look, nor do Patients: a Patient's
		 * partition follows from its own id, which never changes.
		 */
		private void refuseAMoveToAnotherPartition(IBaseResource resource, RequestPartitionId partition) {
			if (!resource.getIdElement().hasIdPart() || "Patient".equals(resource.fhirType())
					|| Boolean.TRUE.equals(resource.getUserData(JpaConstants.RESOURCE_ID_SERVER_ASSIGNED))
					|| partition.getFirstPartitionIdOrNull() == null) {
				return;
			}
			List<Integer> stored = jdbc.queryForList(
					"SELECT partition_id FROM hfj_resource WHERE res_type = ? AND fhir_id = ?",
					Integer.class, resource.fhirType(), resource.getIdElement().getIdPart());
			for (Integer existing : stored) {
				if (!partition.getFirstPartitionIdOrNull().equals(existing)) {
					throw new UnprocessableEntityException(fhirContext, outcome(resource));
				}
			}
		}

		private IBaseOperationOutcome outcome(IBaseResource resource) {
			IBaseOperationOutcome outcome = OperationOutcomeUtil.newInstance(fhirContext);
			OperationOutcomeUtil.addIssue(fhirContext, outcome, "error",
					resource.fhirType() + "/" + resource.getIdElement().getIdPart() + " belongs to another patient's"
							+ " compartment than this update names. This server keeps each patient's record in its own"
							+ " partition, and a resource cannot move between them: delete it and create it anew for the"
							+ " other patient.",
					null, "business-rule");
			return outcome;
		}

		/**
		 * HAPI 8.8 builds invalid SQL for {@code :missing} on a reference when the search is held to one
		 * partition ("Columns used for unreferenced tables", a 500): such searches read every partition, which
		 * finds the same resources.
		 */
		@Override
		public RequestPartitionId identifyForRead(ReadPartitionIdRequestDetails read, RequestDetails request) {
			// The server's whole history names no type. HAPI's interceptor would hold it to one partition and answer
			// a silently partial list; asked for every partition, HAPI refuses it plainly (400, HAPI-0953).
			if (read.getResourceType() == null) {
				return RequestPartitionId.allPartitions();
			}
			if (read.getSearchParams() != null && usesMissing(read.getSearchParams())) {
				return RequestPartitionId.allPartitions();
			}
			return super.identifyForRead(read, request);
		}

		private static boolean usesMissing(SearchParameterMap params) {
			for (List<List<IQueryParameterType>> and : params.values()) {
				for (List<IQueryParameterType> or : and) {
					for (IQueryParameterType value : or) {
						if (value.getMissing() != null) {
							return true;
						}
					}
				}
			}
			return false;
		}
	}

	/** The partition HAPI places a patient's compartment in: what a Citus query router would compute too. */
	static int partitionOf(String patientId) {
		return PatientIdPartitionInterceptor.defaultPartitionAlgorithm(patientId);
	}
}
