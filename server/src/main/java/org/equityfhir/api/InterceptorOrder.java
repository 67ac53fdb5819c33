package org.equityfhir.api;

/**
 * The one order in which the capabilities' interceptors run, whoever registers them (HAPI sorts hooks by
 * {@code @Interceptor(order = ...)}): who may act, then what they may see, then whether the data meets our
 * guide, then whether the workflow allows the step.
 */
public final class InterceptorOrder {
	public static final int AUTHORIZATION = 100;
	public static final int CONSENT_MASKING = 200;
	public static final int GUIDE_ENFORCEMENT = 300;
	public static final int WORKFLOW_RULES = 400;

	private InterceptorOrder() {}
}
