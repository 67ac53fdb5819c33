package org.equityfhir.security;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.exceptions.MethodNotAllowedException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.equityfhir.api.InterceptorOrder;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;

/**
 * Records every read, search and write of patient or referral data in the {@link AuditTrail}: a write
 * inside its own transaction (just before commit, so no write commits without its record), a read or
 * search once its answer is ready. Refusals are recorded where they are decided (PolicyAuthorization,
 * RefusalResponses). The audit trail itself is never written through the API.
 */
@Interceptor(order = InterceptorOrder.AUTHORIZATION + 1)
class AuditInterceptor {

	private final AuditTrail audit;

	AuditInterceptor(AuditTrail audit) {
		this.audit = audit;
	}

	/** Operations that read patient data, in aggregate or not, wherever they are invoked: every evaluation is recorded. */
	static final java.util.Set<String> AUDITED_OPERATIONS = java.util.Set.of("$network-adequacy", "$evaluate-measure", "$referral-metrics");

	/** Patient and referral data: everything but the directory, definitions and the trail itself. */
	static boolean audited(String type) {
		return type != null && !AccessPolicy.DIRECTORY.contains(type) && !AccessPolicy.CONFORMANCE.contains(type)
				&& !AccessPolicy.SERVER_WRITTEN.contains(type);
	}

	/** Before HAPI looks for a method: no write of any kind exists for AuditEvent, so the answer is 405. */
	@Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED)
	public boolean trailIsReadOnly(jakarta.servlet.http.HttpServletRequest request) {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		boolean trail = path.equals("/fhir/AuditEvent") || (path.startsWith("/fhir/AuditEvent/") && !path.endsWith("/_search"));
		if (trail && !request.getMethod().equals("GET") && !request.getMethod().equals("HEAD")) {
			throw new MethodNotAllowedException("AuditEvents are written by the server only: they can be read and searched, "
					+ "never created, changed or deleted through the API");
		}
		return true;
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	public void created(RequestDetails request, IBaseResource resource) {
		written(request, resource, "create", AuditEventAction.C);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	public void updated(RequestDetails request, IBaseResource previous, IBaseResource resource) {
		written(request, resource, request != null && request.getRestOperationType() == RestOperationTypeEnum.PATCH ? "patch" : "update",
				AuditEventAction.U);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
	public void deleted(RequestDetails request, IBaseResource resource) {
		written(request, resource, "delete", AuditEventAction.D);
	}

	private void written(RequestDetails request, IBaseResource resource, String interaction, AuditEventAction action) {
		String type = resource.fhirType();
		if (!(request instanceof ServletRequestDetails) || !audited(type)) {
			return;
		}
		String reference = type + "/" + resource.getIdElement().getIdPart();
		audit.record(new AuditTrail.Entry(PolicyAuthorization.callerOf(request), interaction, action, AuditEventOutcome._0, null,
				List.of(reference), type.equals("Patient") ? reference : patientParameter(request), null, address(request)));
	}

	@Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
	public void answered(RequestDetails request, ResponseDetails response) {
		RestOperationTypeEnum operation = request.getRestOperationType();
		Interaction interaction = Interaction.of(operation);
		boolean reading = interaction == Interaction.READ || interaction == Interaction.SEARCH
				|| (operation == RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE || operation == RestOperationTypeEnum.EXTENDED_OPERATION_TYPE
						|| operation == RestOperationTypeEnum.EXTENDED_OPERATION_SERVER);
		String type = request.getResourceName();
		boolean evaluation = request.getOperation() != null && AUDITED_OPERATIONS.contains(request.getOperation());
		if (!reading || !(audited(type) || evaluation || (type == null && interaction == Interaction.SEARCH))) {
			return;
		}
		String target = request.getId() != null ? type + "/" + request.getId().getIdPart() : null;
		String patient = "Patient".equals(type) && target != null ? target : patientParameter(request);
		audit.record(new AuditTrail.Entry(PolicyAuthorization.callerOf(request), interaction(request), AuditEventAction.R,
				AuditEventOutcome._0, null, target == null ? List.of() : List.of(target), patient,
				interaction == Interaction.SEARCH || target == null || evaluation ? query(request) : null, address(request)));
	}

	/** Statuses of a refused attempt the API answers itself (401 and 403 are recorded where they are decided). */
	static final java.util.Set<Integer> REFUSALS = java.util.Set.of(400, 405, 413, 415, 422, 429);

	/** Every other refused attempt, recorded with its status only: the refusal's text may quote what was sent. */
	@Hook(Pointcut.SERVER_HANDLE_EXCEPTION)
	public boolean refused(RequestDetails request, ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException exception) {
		if (REFUSALS.contains(exception.getStatusCode())) {
			String target = request.getId() != null && request.getResourceName() != null
					? request.getResourceName() + "/" + request.getId().getIdPart() : null;
			audit.record(new AuditTrail.Entry(PolicyAuthorization.callerOf(request), interaction(request), action(request),
					AuditEventOutcome._4, String.valueOf(exception.getStatusCode()), target == null ? List.of() : List.of(target), null,
					query(request), address(request)));
		}
		return true;
	}

	static String interaction(RequestDetails request) {
		RestOperationTypeEnum operation = request.getRestOperationType();
		if (request.getOperation() != null && request.getOperation().startsWith("$")) {
			return "operation";
		}
		return operation == null ? "unknown" : operation.getCode();
	}

	static AuditEventAction action(RequestDetails request) {
		Interaction interaction = Interaction.of(request.getRestOperationType());
		if (interaction == null) {
			return AuditEventAction.E;
		}
		return switch (interaction) {
			case CREATE -> AuditEventAction.C;
			case UPDATE -> AuditEventAction.U;
			case DELETE -> AuditEventAction.D;
			default -> AuditEventAction.R;
		};
	}

	/** The request as the client sent it, for a search's record: the path and its parameters. */
	static String query(RequestDetails request) {
		String path = request.getRequestPath();
		Map<String, String[]> parameters = request.getParameters();
		if (parameters == null || parameters.isEmpty()) {
			return path;
		}
		return path + "?" + parameters.entrySet().stream().sorted(Map.Entry.comparingByKey())
				.flatMap(e -> java.util.Arrays.stream(e.getValue()).map(v -> e.getKey() + "=" + v))
				.collect(Collectors.joining("&"));
	}

	private static String patientParameter(RequestDetails request) {
		Map<String, String[]> parameters = request.getParameters();
		for (String name : List.of("patient", "subject", "subject:Patient")) {
			String[] value = parameters == null ? null : parameters.get(name);
			if (value != null && value.length == 1 && !value[0].contains(",")) {
				return value[0].startsWith("Patient/") ? value[0] : "Patient/" + value[0];
			}
		}
		return null;
	}

	private static String address(RequestDetails request) {
		return request instanceof ServletRequestDetails servlet && servlet.getServletRequest() != null
				? servlet.getServletRequest().getRemoteAddr() : null;
	}
}
