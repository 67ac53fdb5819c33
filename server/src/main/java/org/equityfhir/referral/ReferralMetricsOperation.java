package org.equityfhir.referral;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;
import org.hl7.fhir.r4.model.BooleanType;

/**
 * {@code [base]/$referral-metrics}: whether the referral loop closes, per receiving organization and SDOH
 * category, optionally stratified by the patients' preferred language, race or ethnicity ({@link LoopMetrics}).
 */
class ReferralMetricsOperation {

	static final List<String> STRATIFIERS = List.of("language", "race", "ethnicity");
	private static final String RACE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";
	private static final String ETHNICITY = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity";
	private static final int LIMIT = 50_000;

	private final DaoRegistry daos;
	private final MatchUrlService matchUrls;

	ReferralMetricsOperation(DaoRegistry daos, MatchUrlService matchUrls) {
		this.daos = daos;
		this.matchUrls = matchUrls;
	}

	@Operation(name = "$referral-metrics", idempotent = true)
	public Parameters metrics(
			@OperationParam(name = "organization", max = 1) StringType organization,
			@OperationParam(name = "periodStart", max = 1) DateType periodStart,
			@OperationParam(name = "periodEnd", max = 1) DateType periodEnd,
			@OperationParam(name = "stratifier", max = 1) StringType stratifier,
			RequestDetails request) {
		String by = stratifier == null ? null : stratifier.getValue();
		if (by != null && !STRATIFIERS.contains(by)) {
			throw new InvalidRequestException("stratifier must be one of " + String.join(", ", STRATIFIERS) + ", not '" + by + "'");
		}
		StringBuilder url = new StringBuilder("Task?code=").append(encode("http://hl7.org/fhir/CodeSystem/task-code|fulfill"))
				.append("&status:not=draft&_include=Task:focus&_include=Task:patient");
		if (periodStart != null) {
			url.append("&authored-on=ge").append(periodStart.getValueAsString());
		}
		if (periodEnd != null) {
			url.append("&authored-on=le").append(periodEnd.getValueAsString());
		}
		SearchParameterMap map = matchUrls.getResourceSearchWithIncludesAndRevIncludes(url.toString()).getSearchParameterMap();
		map.setLoadSynchronousUpTo(LIMIT);
		List<IBaseResource> found = daos.getResourceDao(Task.class).search(map, new SystemRequestDetails()).getResources(0, LIMIT);
		Map<String, IBaseResource> byId = new HashMap<>();
		found.forEach(r -> byId.put(r.getIdElement().toUnqualifiedVersionless().getValue(), r));
		List<LoopMetrics.Referral> referrals = new ArrayList<>();
		for (IBaseResource resource : found) {
			if (resource instanceof Task task && ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.get(task) != BundleEntrySearchModeEnum.INCLUDE) {
				ServiceRequest referral = byId.get(task.getFocus().getReference()) instanceof ServiceRequest sr ? sr : null;
				String receiver = task.hasOwner() ? task.getOwner().getReference()
						: referral != null && referral.hasPerformer() ? referral.getPerformerFirstRep().getReference() : "unassigned";
				if (organization != null && !organization.getValue().equals(receiver)) {
					continue;
				}
				Patient patient = byId.get(task.getFor().getReference()) instanceof Patient p ? p : null;
				referrals.add(referral(task, receiver, category(referral), patient));
			}
		}
		Parameters out = new Parameters();
		for (LoopMetrics.Row row : LoopMetrics.rows(referrals, by)) {
			Parameters.ParametersParameterComponent p = out.addParameter().setName("row");
			p.addPart().setName("organization").setValue(new Reference(row.organization()));
			p.addPart().setName("category").setValue(new Coding(ReferralTransition.SDOHCC_CODES, row.category(), null));
			if (row.stratum() != null) {
				p.addPart().setName("stratifier").setValue(new StringType(by));
				p.addPart().setName("stratum").setValue(new StringType(row.stratum()));
			}
			p.addPart().setName("suppressed").setValue(new BooleanType(row.suppressed()));
			count(p, "sent", row.sent());
			count(p, "accepted", row.accepted());
			count(p, "completed", row.completed());
			count(p, "rejected", row.rejected());
			count(p, "never-answered", row.neverAnswered());
			if (row.medianDaysToAccept() != null) {
				p.addPart().setName("median-days-to-accept").setValue(new DecimalType(row.medianDaysToAccept()));
			}
			if (row.medianDaysToClose() != null) {
				p.addPart().setName("median-days-to-close").setValue(new DecimalType(row.medianDaysToClose()));
			}
		}
		return out;
	}

	private static void count(Parameters.ParametersParameterComponent row, String name, Integer value) {
		if (value != null) {
			row.addPart().setName(name).setValue(new IntegerType(value));
		}
	}

	/** When the Task first took each status, from its history: the server's own record of the loop. */
	private LoopMetrics.Referral referral(Task task, String receiver, String category, Patient patient) {
		ReferralHistory history = ReferralHistory.of(daos, task);
		Map<String, String> strata = new HashMap<>();
		strata.put("language", patient == null ? "unknown" : language(patient));
		strata.put("race", patient == null ? "unknown" : omb(patient, RACE));
		strata.put("ethnicity", patient == null ? "unknown" : omb(patient, ETHNICITY));
		return new LoopMetrics.Referral(receiver, category, task.getStatus().toCode(), history.sent(), history.acceptedAt(),
				history.closedAt(), history.everAccepted(), history.everRejected(), strata);
	}

	/** The Gravity SDOH domain the referral is for (its first SDOHCC category), or "sdoh" when it names none. */
	private static String category(ServiceRequest referral) {
		if (referral == null) {
			return "sdoh";
		}
		return referral.getCategory().stream().flatMap(c -> c.getCoding().stream())
				.filter(c -> ReferralTransition.SDOHCC_CODES.equals(c.getSystem())).map(Coding::getCode).findFirst().orElse("sdoh");
	}

	private static String language(Patient patient) {
		Optional<Patient.PatientCommunicationComponent> preferred = patient.getCommunication().stream()
				.filter(Patient.PatientCommunicationComponent::getPreferred).findFirst()
				.or(() -> patient.getCommunication().stream().findFirst());
		return preferred.flatMap(c -> c.getLanguage().getCoding().stream().findFirst()).map(Coding::getCode).orElse("unknown");
	}

	/** The OMB category of US Core's race or ethnicity extension; "multiple" for more than one. */
	private static String omb(Patient patient, String url) {
		Extension extension = patient.getExtensionByUrl(url);
		if (extension == null) {
			return "unknown";
		}
		List<String> categories = extension.getExtensionsByUrl("ombCategory").stream()
				.map(e -> ((Coding) e.getValue()).getCode()).toList();
		return categories.isEmpty() ? "unknown" : categories.size() > 1 ? "multiple" : categories.get(0);
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}
}
