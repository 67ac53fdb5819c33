package org.equityfhir.referral;

import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The referral inbox at /inbox, for the staff of a community organization with no FHIR system: static
 * files in this package's resources folder ({@code inbox/}) that call only the FHIR API, so the workflow's
 * rules (and, later, the security rules) apply to the page exactly as to any client.
 */
class InboxPage implements WebMvcConfigurer {

	static final String PATH = "/inbox";

	@Override
	public void addResourceHandlers(ResourceHandlerRegistry registry) {
		registry.addResourceHandler(PATH + "/**").addResourceLocations("classpath:/org/equityfhir/referral/inbox/");
	}

	@Override
	public void addViewControllers(ViewControllerRegistry registry) {
		registry.addRedirectViewController(PATH, PATH + "/");
		registry.addViewController(PATH + "/").setViewName("forward:" + PATH + "/index.html");
	}
}
