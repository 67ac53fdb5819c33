package org.equityfhir.directory;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.IPreResourceShowDetails;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.equityfhir.api.InterceptorOrder;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Resource;

/**
 * Removes what a clinician chose not to display from everything the REST API returns. Registered on the
 * RestfulServer, so it sees each request that came over HTTP (and the sub-requests of its transactions),
 * while server-internal code reading through the DAO with a system request sees the stored record.
 * <p>
 * Two hooks: resources a reading request loads from storage (read, vread, history, search matches and
 * includes, later pages) pass STORAGE_PRESHOW_RESOURCES and are swapped for masked copies there; every
 * response body (those too, and create/update bodies with Prefer: return=representation, transaction and
 * batch responses, $everything, anything an operation builds) is checked again on its way out, and masked
 * as a copy when it still shows something hidden.
 * <p>
 * HAPI's own ConsentInterceptor was not used: in 8.8.0 it refuses _summary=count and _total=accurate and
 * removes Bundle.total, because its filtering happens after the database counted. Our search parameters
 * never index a hidden value, so counts are already right and stay available.
 */
@Interceptor(order = InterceptorOrder.CONSENT_MASKING)
class DirectoryMaskingInterceptor {

	private static final Set<RestOperationTypeEnum> OLDER_VERSIONS = EnumSet.of(
			RestOperationTypeEnum.VREAD,
			RestOperationTypeEnum.HISTORY_INSTANCE,
			RestOperationTypeEnum.HISTORY_TYPE,
			RestOperationTypeEnum.HISTORY_SYSTEM);

	private final FhirContext fhirContext;
	private final DaoRegistry daos;

	DirectoryMaskingInterceptor(FhirContext fhirContext, DaoRegistry daos) {
		this.fhirContext = fhirContext;
		this.daos = daos;
	}

	/**
	 * The clinician's choice today governs every version: an older version (history, vread, or anything a
	 * write or operation returns) is also masked by the categories the current version hides. A deleted
	 * clinician's choice can no longer be read, so all three categories are hidden in their history.
	 */
	private Set<DirectoryCategory> hiddenNow(Practitioner shown, Map<String, Set<DirectoryCategory>> seen) {
		if (!shown.getIdElement().hasIdPart()) {
			return EnumSet.noneOf(DirectoryCategory.class);
		}
		String id = shown.getIdElement().getIdPart();
		return seen.computeIfAbsent(id, key -> {
			try {
				Practitioner current = (Practitioner) daos.getResourceDao(Practitioner.class)
						.read(new IdType("Practitioner", key), new SystemRequestDetails());
				return DirectoryCategory.hiddenOn(current);
			} catch (ResourceGoneException | ResourceNotFoundException deleted) {
				return EnumSet.allOf(DirectoryCategory.class);
			}
		});
	}

	/**
	 * Only requests that merely read. In a transaction, HAPI 8.8.0 shows the written resources to this
	 * pointcut before it has stored their text, and stores the object the hook put in their place: a
	 * masked copy set here would be persisted. Writes, transactions, batches and operations are therefore
	 * masked only on the way out, after the database work is done.
	 */
	private static final Set<RestOperationTypeEnum> READS = EnumSet.of(
			RestOperationTypeEnum.READ,
			RestOperationTypeEnum.VREAD,
			RestOperationTypeEnum.HISTORY_INSTANCE,
			RestOperationTypeEnum.HISTORY_TYPE,
			RestOperationTypeEnum.HISTORY_SYSTEM,
			RestOperationTypeEnum.SEARCH_TYPE,
			RestOperationTypeEnum.SEARCH_SYSTEM,
			RestOperationTypeEnum.GET_PAGE);

	@Hook(Pointcut.STORAGE_PRESHOW_RESOURCES)
	public void maskLoaded(RequestDetails request, IPreResourceShowDetails details) {
		if (DirectoryMasking.isUnmasked(request) || request == null || !READS.contains(request.getRestOperationType())) {
			return;
		}
		boolean olderVersions = OLDER_VERSIONS.contains(request.getRestOperationType());
		Map<String, Set<DirectoryCategory>> seen = new HashMap<>();
		for (int i = 0; i < details.size(); i++) {
			if (details.getResource(i) instanceof Practitioner practitioner) {
				Set<DirectoryCategory> now = olderVersions ? hiddenNow(practitioner, seen) : EnumSet.noneOf(DirectoryCategory.class);
				Practitioner masked = DirectoryMasking.maskedCopy(practitioner, now);
				if (masked != null) {
					details.setResource(i, masked);
				}
			}
		}
	}

	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public void maskOutgoing(RequestDetails request, ResponseDetails response) {
		IBaseResource body = response.getResponseResource();
		if (body == null || DirectoryMasking.isUnmasked(request)) {
			return;
		}
		// Reads were masked as they were loaded, by the version they show; anything else may carry older
		// versions (a transaction's GET of _history) and is checked against each clinician's current choice.
		boolean checkCurrent = request.getRestOperationType() == null || !READS.contains(request.getRestOperationType());
		Map<String, Set<DirectoryCategory>> seen = new HashMap<>();
		if (body instanceof OperationOutcome outcome && validatesAStoredPractitioner(request)) {
			withholdDetails(outcome, request, seen, response);
			return;
		}
		Function<Practitioner, Set<DirectoryCategory>> alsoHidden =
				p -> checkCurrent ? hiddenNow(p, seen) : EnumSet.noneOf(DirectoryCategory.class);
		if (!showsHiddenData(body, alsoHidden)) {
			return;
		}
		// The body may be the very object that was just stored or is still referenced by HAPI: mask a copy.
		Resource copy = ((Resource) body).copy();
		if (copy instanceof Practitioner practitioner) {
			DirectoryMasking.maskInPlace(practitioner, alsoHidden.apply(practitioner));
		}
		for (IBaseResource embedded : fhirContext.newTerser().getAllEmbeddedResources(copy, true)) {
			if (embedded instanceof Practitioner practitioner) {
				DirectoryMasking.maskInPlace(practitioner, alsoHidden.apply(practitioner));
			}
		}
		response.setResponseResource(copy);
	}

	private static boolean validatesAStoredPractitioner(RequestDetails request) {
		return "$validate".equals(request.getOperation()) && "Practitioner".equals(request.getResourceName())
				&& request.getId() != null && request.getId().hasIdPart();
	}

	/**
	 * Practitioner/{id}/$validate validates the stored record, and its findings quote values (an unknown CDC
	 * race code, a language tag). When the clinician hides a category, only the verdict is returned.
	 */
	private void withholdDetails(OperationOutcome outcome, RequestDetails request,
			Map<String, Set<DirectoryCategory>> seen, ResponseDetails response) {
		Practitioner id = new Practitioner();
		id.setId(request.getId().getIdPart());
		if (hiddenNow(id, seen).isEmpty()) {
			return;
		}
		OperationOutcome.IssueSeverity worst = outcome.getIssue().stream()
				.map(OperationOutcome.OperationOutcomeIssueComponent::getSeverity)
				.min(java.util.Comparator.naturalOrder())
				.orElse(OperationOutcome.IssueSeverity.INFORMATION);
		OperationOutcome withheld = new OperationOutcome();
		withheld.addIssue().setSeverity(worst).setCode(OperationOutcome.IssueType.INFORMATIONAL)
				.setDiagnostics("Validation details are withheld: this clinician does not display part of their directory"
						+ " record. The most severe finding was of severity " + worst.toCode() + ".");
		response.setResponseResource(withheld);
	}

	private boolean showsHiddenData(IBaseResource body, Function<Practitioner, Set<DirectoryCategory>> alsoHidden) {
		if (body instanceof Practitioner practitioner && DirectoryMasking.needsMasking(practitioner, alsoHidden.apply(practitioner))) {
			return true;
		}
		return fhirContext.newTerser().getAllEmbeddedResources(body, true).stream()
				.anyMatch(r -> r instanceof Practitioner p && DirectoryMasking.needsMasking(p, alsoHidden.apply(p)));
	}
}
