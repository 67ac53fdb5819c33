package org.equityfhir.insights;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.MatchUrlService;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * Reads what a report counts, straight from storage as the server itself (no masking, no caller's
 * authorization: the reports are aggregates, and what leaves is decided by {@link SmallCells}).
 */
final class Records {

	/** Above this many resources of one search, a report refuses rather than count a part. */
	static final int LIMIT = 1_000_000;

	private final DaoRegistry daos;
	private final MatchUrlService matchUrls;

	Records(DaoRegistry daos, MatchUrlService matchUrls) {
		this.daos = daos;
		this.matchUrls = matchUrls;
	}

	/** Every resource a search URL ({@code Patient?active:not=false}) finds. */
	<T extends IBaseResource> List<T> all(String url, Class<T> type) {
		SearchParameterMap map = matchUrls.getResourceSearchWithIncludesAndRevIncludes(url).getSearchParameterMap();
		map.setLoadSynchronousUpTo(LIMIT);
		List<IBaseResource> found = daos.getResourceDao(type).search(map, new SystemRequestDetails()).getResources(0, LIMIT);
		return found.stream().filter(type::isInstance).map(type::cast).toList();
	}

	/** Every resource of a type. */
	<T extends IBaseResource> List<T> all(Class<T> type) {
		SearchParameterMap map = SearchParameterMap.newSynchronous();
		map.setLoadSynchronousUpTo(LIMIT);
		List<IBaseResource> found = daos.getResourceDao(type).search(map, new SystemRequestDetails()).getResources(0, LIMIT);
		return found.stream().filter(type::isInstance).map(type::cast).toList();
	}

	DaoRegistry daos() {
		return daos;
	}
}
