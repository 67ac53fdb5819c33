package org.equityfhir.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.equityfhir.EquityFhirApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ContextConfiguration;

/** Boots the whole server on a random port over an embedded H2 file database (one context per JVM). */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
		classes = EquityFhirApplication.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = {TestServerProperties.COMMON, TestServerProperties.NO_SCHEDULED_REPORTS})
@ContextConfiguration(initializers = DatabaseInitializers.H2.class)
public @interface OnH2 {}
