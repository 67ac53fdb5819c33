package org.equityfhir.directory;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import org.equityfhir.api.InterceptorOrder;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Practitioner;

/**
 * Read-modify-write loses nothing: a Practitioner that comes back carrying the REDACTED label is a copy
 * the directory masked, so every category hidden in the stored version that the incoming copy does not
 * carry is taken from the stored version (with its narrative), and the label is dropped before storage.
 * Registered with the storage engine and ordered before guide enforcement, so the restored record is the
 * one validated and stored, on every write path (PUT, transaction, batch).
 */
@Interceptor(order = InterceptorOrder.CONSENT_MASKING)
class MaskedCopyRestorer {

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
	public void created(IBaseResource resource) {
		if (resource instanceof Practitioner practitioner) {
			DirectoryMasking.unmark(practitioner);
		}
	}

	@Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
	public void updated(IBaseResource oldResource, IBaseResource newResource) {
		if (!(newResource instanceof Practitioner incoming) || !DirectoryMasking.isMarked(incoming)) {
			return;
		}
		DirectoryMasking.unmark(incoming);
		if (!(oldResource instanceof Practitioner stored)) {
			return;
		}
		boolean restored = false;
		for (DirectoryCategory category : DirectoryCategory.hiddenOn(stored)) {
			if (!category.hasData(incoming) && category.hasData(stored)) {
				category.copy(stored, incoming);
				restored = true;
			}
		}
		if (restored && !incoming.hasText() && stored.hasText()) {
			incoming.setText(stored.getText().copy());
		}
	}
}
