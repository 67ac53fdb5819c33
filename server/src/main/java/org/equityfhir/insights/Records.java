package org.equityfhir.insights;

import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * Reads what a report counts, straight from storage as the server itself (no masking, no caller's
 * authorization: the reports are aggregates, and what leaves is decided by {@link SmallCells}).
 *
 * <p>HAPI stops a synchronous load at its internal search size (10,000 by default) whatever the load asks
 * for, and a report that silently counted the first 10,000 members would be wrong without saying so
 * (bench/equity-bench.sh found it). The insights configuration raises that size to {@link #LIMIT}, and a
 * search that reaches it is refused, never counted in part.
 */
final class Records {

	/** The most resources of one search a report counts; one more and it refuses. */
	static final int LIMIT = 1_000_000;

	private final DaoRegistry daos;
	private final MatchUrlService matchUrls;
	private final JpaStorageSettings settings;

	Records(DaoRegistry daos, MatchUrlService matchUrls, JpaStorageSettings settings) {
		this.daos = daos;
		this.matchUrls = matchUrls;
		this.settings = settings;
	}

	/** Every resource a search URL ({@code Patient?active:not=false}) finds. */
	<T extends IBaseResource> List<T> all(String url, Class<T> type) {
		return load(url, type, matchUrls.getResourceSearchWithIncludesAndRevIncludes(url).getSearchParameterMap());
	}

	/** Every resource of a type. */
	<T extends IBaseResource> List<T> all(Class<T> type) {
		return load(type.getSimpleName(), type, SearchParameterMap.newSynchronous());
	}

	private <T extends IBaseResource> List<T> load(String what, Class<T> type, SearchParameterMap map) {
		int cap = Math.min(LIMIT + 1, settings.getInternalSynchronousSearchSize());
		map.setLoadSynchronousUpTo(cap);
		List<IBaseResource> found = daos.getResourceDao(type).search(map, new SystemRequestDetails()).getResources(0, cap);
		if (found.size() >= cap) {
			throw new UnprocessableEntityException("An equity report would count " + cap + " or more results of " + what
					+ "; it refuses rather than count a part. Narrow the period or the service area.");
		}
		return found.stream().filter(type::isInstance).map(type::cast).toList();
	}

	DaoRegistry daos() {
		return daos;
	}
}
