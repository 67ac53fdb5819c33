package org.equityfhir.guide;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.IInstanceValidatorModule;
import ca.uhn.fhir.validation.IValidationContext;
import ca.uhn.fhir.validation.ValidationOptions;
import ca.uhn.fhir.validation.ValidationResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.NpmPackageValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * Validates resources against our implementation guide, offline: R4 core, our two packages, in-memory
 * terminology. Built once and shared (the chain caches snapshots and expansions); every resource is
 * checked against the profile its type and category call for, plus any profile it or the caller names.
 *
 * <p>Code systems we do not ship (LOINC, SNOMED CT, ICD-10-CM, ...) are warnings when a code is not in
 * one of our enumerated value sets; official profiles a resource declares but we do not load are
 * warnings too, so resources written to US Core or Gravity are judged on our constraints alone.
 */
public class GuideValidator implements IInstanceValidatorModule {

	private final FhirContext fhirContext;
	private final ProfileSelector selector;
	private final FhirInstanceValidator instanceValidator;

	public GuideValidator(FhirContext fhirContext, List<GuidePackage> packages, ProfileSelector selector) {
		this.fhirContext = fhirContext;
		this.selector = selector;
		NpmPackageValidationSupport guide = new NpmPackageValidationSupport(fhirContext);
		for (GuidePackage pkg : packages) {
			try {
				guide.loadPackageFromClasspath("classpath:" + GuidePackage.classpathLocation(pkg.id()));
			} catch (IOException e) {
				throw new UncheckedIOException("Cannot load FHIR package " + pkg.id(), e);
			}
		}
		this.instanceValidator = instanceValidator(chain(fhirContext, List.of(guide)));
	}

	/**
	 * The validation chain: R4 core, then the given conformance resources in order (the first definition
	 * of a canonical wins), then offline terminology. Code systems we do not ship are warnings.
	 */
	static ValidationSupportChain chain(FhirContext fhirContext, List<? extends IValidationSupport> conformance) {
		UnknownCodeSystemWarningValidationSupport unknownSystems = new UnknownCodeSystemWarningValidationSupport(fhirContext);
		unknownSystems.setNonExistentCodeSystemSeverity(IValidationSupport.IssueSeverity.WARNING);
		List<IValidationSupport> supports = new java.util.ArrayList<>();
		supports.add(new DefaultProfileValidationSupport(fhirContext));
		supports.addAll(conformance);
		supports.add(new CommonCodeSystemsTerminologyService(fhirContext));
		supports.add(new InMemoryTerminologyServerValidationSupport(fhirContext));
		supports.add(new SnapshotGeneratingValidationSupport(fhirContext));
		supports.add(unknownSystems);
		return new ValidationSupportChain(supports);
	}

	/** Official profiles a resource declares but we do not load are warnings, not refusals. */
	static FhirInstanceValidator instanceValidator(IValidationSupport chain) {
		FhirInstanceValidator validator = new FhirInstanceValidator(chain);
		validator.setErrorForUnknownProfiles(false);
		validator.setAnyExtensionsAllowed(true);
		return validator;
	}

	public ProfileSelector selector() {
		return selector;
	}

	/** Validates against the profiles our guide selects for this resource (and any it declares). */
	public ValidationResult validate(IBaseResource resource) {
		return newValidator().validateWithResult(resource, new ValidationOptions());
	}

	/** FhirValidator is a light, per-call object; the expensive parts (the chain, this module) are shared. */
	private FhirValidator newValidator() {
		FhirValidator validator = fhirContext.newValidator();
		validator.setValidateAgainstStandardSchema(false);
		validator.setValidateAgainstStandardSchematron(false);
		validator.registerValidatorModule(this);
		return validator;
	}

	/** Also the JPA engine's instance validator, so $validate gives the same findings as a write. */
	@Override
	public void validateResource(IValidationContext<IBaseResource> context) {
		ValidationOptions options = new ValidationOptions();
		context.getOptions().getProfiles().forEach(options::addProfile);
		if (context.getResource() != null) {
			selector.profilesFor(context.getResource()).forEach(options::addProfile);
		}
		instanceValidator.validateResource(new WithOptions(context, options));
	}

	/** The caller's validation context with our profiles added (callers may pass immutable options). */
	private record WithOptions(IValidationContext<IBaseResource> delegate, ValidationOptions options)
			implements IValidationContext<IBaseResource> {
		@Override
		public FhirContext getFhirContext() {
			return delegate.getFhirContext();
		}

		@Override
		public IBaseResource getResource() {
			return delegate.getResource();
		}

		@Override
		public String getResourceAsString() {
			return delegate.getResourceAsString();
		}

		@Override
		public EncodingEnum getResourceAsStringEncoding() {
			return delegate.getResourceAsStringEncoding();
		}

		@Override
		public void addValidationMessage(SingleValidationMessage message) {
			delegate.addValidationMessage(message);
		}

		@Override
		public List<SingleValidationMessage> getMessages() {
			return delegate.getMessages();
		}

		@Override
		public ValidationResult toResult() {
			return delegate.toResult();
		}

		@Override
		public ValidationOptions getOptions() {
			return options;
		}
	}
}
