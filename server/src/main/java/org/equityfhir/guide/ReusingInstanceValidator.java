package org.equityfhir.guide;

import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.validation.IValidationContext;
import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.lang.reflect.Field;
import java.util.Collection;
import java.util.Map;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.r5.elementmodel.Manager.FhirFormat;
import org.hl7.fhir.r5.fhirpath.IHostApplicationServices;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.r5.utils.validation.IValidationPolicyAdvisor;
import org.hl7.fhir.r5.utils.validation.IValidatorResourceFetcher;
import org.hl7.fhir.r5.utils.validation.ValidatorSession;
import org.hl7.fhir.r5.utils.validation.constants.BestPracticeWarningLevel;
import org.hl7.fhir.r5.utils.validation.constants.IdStatus;
import org.hl7.fhir.r5.utils.xver.XVerExtensionManagerOld;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.hl7.fhir.utilities.validation.ValidationMessage.IssueSeverity;
import org.hl7.fhir.validation.ValidatorSettings;
import org.hl7.fhir.validation.codesystem.CodingsObserver;
import org.hl7.fhir.validation.instance.InstanceValidator;

/**
 * HAPI's instance validator, with HL7's {@link InstanceValidator} kept and reused instead of built for every
 * validation. Same settings, same profiles, same adjustments to the findings; only the construction moves.
 *
 * <p>Why: in org.hl7.fhir.validation 6.7.9 (HAPI 8.8.0), the constructor parses HL7's 1.5 MB OID registry
 * into a new map every time, about 23 ms of CPU, which was 72 % of a validated create (docs/benchmarks.md).
 * {@code InstanceValidator.validate} clears some of its per-validation state itself (fetch cache, resource
 * tracker, tracked messages). {@link Pooled#forget()} empties the rest, before each use and again before a
 * validator goes back to the pool: the profile status warnings already given (a retired definition is
 * reported once per validator: kept, the next resource would not hear of it), and what holds parts of the
 * last resource (the codings, texts and narrative it noted, and canonical lookups). So every validation
 * starts as a fresh validator would, and an idle validator holds no resource. Those fields are private to
 * HL7's class; they are found by name once, and a version of HL7's validator without one of them stops
 * the server at start-up rather than leak. A validator is also retired after {@link #USES} validations.
 *
 * <p>Validators wait in a pool, not in thread-locals: one per concurrent validation, whichever thread asks,
 * and no more than {@link #MAX_IDLE} kept idle.
 * {@code ReusingInstanceValidatorTest} proves the findings identical to HAPI's on every example we have.
 * XML input (never produced by the server itself) goes through HAPI's own path.
 */
final class ReusingInstanceValidator extends FhirInstanceValidator {

	/** Validations per validator before it is retired: the registry parse is then 1/100th of what it was. */
	static final int USES = 100;

	/**
	 * Idle validators kept, at most: each holds its own copy of the registry (a few MB), so a burst of many
	 * concurrent validations leaves no more than this many behind.
	 */
	static final int MAX_IDLE = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

	private final Deque<Pooled> idle = new ConcurrentLinkedDeque<>();
	private final AtomicInteger built = new AtomicInteger();

	ReusingInstanceValidator(IValidationSupport validationSupport) {
		super(validationSupport);
	}

	@Override
	protected List<ValidationMessage> validate(IValidationContext<?> context) {
		if (context.getResourceAsStringEncoding() != EncodingEnum.JSON) {
			return super.validate(context);
		}
		WorkerContextValidationSupportAdapter worker = provideWorkerContext();
		String json = context.getResourceAsString();
		List<StructureDefinition> profiles = new ArrayList<>();
		List<ValidationMessage> unknownProfiles = new ArrayList<>();
		for (String url : context.getOptions().getProfiles()) {
			addProfile(worker, url, profiles, unknownProfiles);
		}
		for (String url : declaredProfiles(json)) {
			addProfile(worker, url, profiles, unknownProfiles);
		}
		Pooled validator = borrow(worker, currentSettings());
		List<ValidationMessage> messages = new ArrayList<>();
		validator.forget();
		validator.validate(context.getOptions().getAppContext(), messages,
				new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), FhirFormat.JSON, profiles);
		// Given back only after a validation that completed (one that threw may have left state behind),
		// and holding nothing of the resource it validated.
		validator.forget();
		if (++validator.uses < USES && idle.size() < MAX_IDLE) {
			idle.push(validator);
		}
		// As HAPI does: a profile that cannot be found is reported only when no profile at all could be.
		if (profiles.isEmpty()) {
			messages.addAll(unknownProfiles);
		}
		messages.removeIf(ReusingInstanceValidator::suppressedByHapi);
		IssueSeverity unknownProfile = isErrorForUnknownProfiles() ? IssueSeverity.ERROR : IssueSeverity.WARNING;
		messages.stream().filter(ReusingInstanceValidator::isUnknownProfile).forEach(m -> m.setLevel(unknownProfile));
		return messages;
	}

	/** HAPI's cache reset also drops the pooled validators (they hold caches of their own). */
	@Override
	public void invalidateCaches() {
		super.invalidateCaches();
		idle.clear();
	}

	int idleCount() {
		return idle.size();
	}

	/** What the idle validators still hold of the resources they validated: 0, always. */
	int idleRetained() {
		return idle.stream().mapToInt(Pooled::retained).sum();
	}

	/** The profiles a resource names in meta.profile, read from its JSON as HAPI reads them (with Gson). */
	private static List<String> declaredProfiles(String json) {
		List<String> urls = new ArrayList<>();
		JsonObject meta = new Gson().fromJson(json, JsonObject.class).getAsJsonObject("meta");
		JsonElement profile = meta == null ? null : meta.get("profile");
		if (profile != null && profile.isJsonArray()) {
			profile.getAsJsonArray().forEach(url -> urls.add(url.getAsString()));
		}
		return urls;
	}

	private static void addProfile(WorkerContextValidationSupportAdapter worker, String url,
			List<StructureDefinition> profiles, List<ValidationMessage> unknownProfiles) {
		StructureDefinition definition;
		try {
			definition = worker.fetchResource(StructureDefinition.class, url);
		} catch (FHIRException unreadable) {
			return; // HAPI skips a profile its worker context cannot read, without a finding
		}
		if (definition != null) {
			profiles.add(definition);
		} else {
			unknownProfiles.add(new ValidationMessage()
					.setMessageId("Validation_VAL_Profile_Unknown")
					.setLevel(IssueSeverity.ERROR)
					.setMessage("Invalid profile. Failed to retrieve profile with url=" + url));
		}
	}

	/** Findings HAPI drops: bindings with no source, and the mime-types value set it cannot expand. */
	private static boolean suppressedByHapi(ValidationMessage message) {
		String id = message.getMessageId();
		return "Terminology_TX_Binding_NoSource".equals(id)
				|| ("Terminology_TX_ValueSet_NotFound".equals(id)
						&& message.getMessage().contains("http://hl7.org/fhir/ValueSet/mimetypes"));
	}

	private static final Set<String> UNKNOWN_PROFILE =
			Set.of("Validation_VAL_Profile_Unknown", "VALIDATION_VAL_PROFILE_UNKNOWN_NOT_POLICY");

	private static boolean isUnknownProfile(ValidationMessage message) {
		return message.getMessageId() != null && UNKNOWN_PROFILE.contains(message.getMessageId());
	}

	private Pooled borrow(WorkerContextValidationSupportAdapter worker, Settings settings) {
		for (Pooled pooled = idle.poll(); pooled != null; pooled = idle.poll()) {
			// A validator built for other settings or a rebuilt worker context is dropped, not reused.
			if (pooled.worker == worker && pooled.settings.equals(settings)) {
				return pooled;
			}
		}
		built.incrementAndGet();
		return new Pooled(worker, settings);
	}

	/** How many of HL7's validators this module has built (each parsed the OID registry once). */
	int validatorsBuilt() {
		return built.get();
	}

	/** Everything HAPI's wrapper sets on a new validator, read from this module's settings. */
	private Settings currentSettings() {
		return new Settings(isAssumeValidRestReferences(), getBestPracticeWarningLevel(), isAnyExtensionsAllowed(),
				isNoTerminologyChecks(), isErrorForUnknownProfiles(), List.copyOf(getExtensionDomains()),
				getValidatorResourceFetcher(), getValidatorPolicyAdvisor(), isNoExtensibleWarnings(),
				isNoBindingMsgSuppressed(), isAllowExamples(), getHostApplicationServices());
	}

	private record Settings(
			boolean assumeValidRestReferences,
			BestPracticeWarningLevel bestPractice,
			boolean anyExtensionsAllowed,
			boolean noTerminologyChecks,
			boolean errorForUnknownProfiles,
			List<String> extensionDomains,
			IValidatorResourceFetcher fetcher,
			IValidationPolicyAdvisor policyAdvisor,
			boolean noExtensibleWarnings,
			boolean noBindingMsgSuppressed,
			boolean allowExamples,
			IHostApplicationServices hostServices) {}

	/** HL7's validator, configured once as HAPI configures each of its own. */
	private static final class Pooled extends InstanceValidator {
		final WorkerContextValidationSupportAdapter worker;
		final Settings settings;
		int uses;

		Pooled(WorkerContextValidationSupportAdapter worker, Settings settings) {
			super(worker, settings.hostServices() != null ? settings.hostServices() : new NullEvaluationContext(),
					new XVerExtensionManagerOld(worker), new ValidatorSession(), new ValidatorSettings());
			this.worker = worker;
			this.settings = settings;
			setAssumeValidRestReferences(settings.assumeValidRestReferences());
			setBestPracticeWarningLevel(settings.bestPractice());
			setAnyExtensionsAllowed(settings.anyExtensionsAllowed());
			setResourceIdRule(IdStatus.OPTIONAL);
			setNoTerminologyChecks(settings.noTerminologyChecks());
			setErrorForUnknownProfiles(settings.errorForUnknownProfiles());
			setUnknownCodeSystemsCauseErrors(true);
			getExtensionDomains().addAll(settings.extensionDomains());
			setFetcher(settings.fetcher());
			setPolicyAdvisor(settings.policyAdvisor());
			setNoExtensibleWarnings(settings.noExtensibleWarnings());
			setNoBindingMsgSuppressed(settings.noBindingMsgSuppressed());
			setAllowExamples(settings.allowExamples());
			setAllowXsiLocation(true);
		}

		/** Everything validate() keeps from one call to the next (see the class comment). */
		void forget() {
			statusWarnings.clear();
			getTextsToCheck().clear();
			for (Field field : KEPT_BETWEEN_CALLS) {
				clear(read(field, this));
			}
			clear(read(CODINGS_SEEN, read(CODING_OBSERVER, this)));
		}

		int retained() {
			int held = statusWarnings.size() + getTextsToCheck().size()
					+ size(read(CODINGS_SEEN, read(CODING_OBSERVER, this)));
			for (Field field : KEPT_BETWEEN_CALLS) {
				held += size(read(field, this));
			}
			return held;
		}

		private static final List<Field> KEPT_BETWEEN_CALLS = List.of(
				field(InstanceValidator.class, "xhtmlElementMap"),
				field(InstanceValidator.class, "crLookups"),
				field(InstanceValidator.class, "textsToCheckKeys"));
		private static final Field CODING_OBSERVER = field(InstanceValidator.class, "codingObserver");
		private static final Field CODINGS_SEEN = field(CodingsObserver.class, "list");

		private static Field field(Class<?> owner, String name) {
			try {
				Field field = owner.getDeclaredField(name);
				field.setAccessible(true);
				return field;
			} catch (NoSuchFieldException e) {
				throw new IllegalStateException(owner.getName() + " has no field " + name + ": this version of HL7's "
						+ "validator keeps other state between validations; check ReusingInstanceValidator against it", e);
			}
		}

		private static Object read(Field field, Object owner) {
			try {
				return field.get(owner);
			} catch (IllegalAccessException e) {
				throw new IllegalStateException(e);
			}
		}

		private static void clear(Object collection) {
			if (collection instanceof Collection<?> c) {
				c.clear();
			} else if (collection instanceof Map<?, ?> m) {
				m.clear();
			}
		}

		private static int size(Object collection) {
			return collection instanceof Collection<?> c ? c.size() : collection instanceof Map<?, ?> m ? m.size() : 0;
		}
	}
}
