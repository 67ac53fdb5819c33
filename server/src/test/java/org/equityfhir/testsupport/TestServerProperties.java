package org.equityfhir.testsupport;

/** Settings every test server shares, so that limits are reachable with small data. */
public final class TestServerProperties {
	public static final int MAX_PAGE_SIZE = 10;
	public static final String COMMON = "equity.server.max-page-size=" + MAX_PAGE_SIZE;
	/** The monthly equity reports run when a test calls them, not on a timer in the middle of other tests. */
	public static final String NO_SCHEDULED_REPORTS = "equity.insights.monthly-reports=false";

	private TestServerProperties() {}
}
