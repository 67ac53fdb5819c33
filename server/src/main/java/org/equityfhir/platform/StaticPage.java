package org.equityfhir.platform;

import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * A web page a capability serves from a classpath folder of static files (its index.html at the path, with
 * and without the trailing slash). Pages call only the FHIR API, so whatever the API enforces holds there.
 */
public class StaticPage implements WebMvcConfigurer {

	private final String path;
	private final String folder;

	/** @param path where it answers, e.g. {@code /inbox}; @param folder e.g. {@code classpath:/org/equityfhir/referral/inbox/} */
	public StaticPage(String path, String folder) {
		this.path = path;
		this.folder = folder;
	}

	@Override
	public void addResourceHandlers(ResourceHandlerRegistry registry) {
		registry.addResourceHandler(path + "/**").addResourceLocations(folder);
	}

	@Override
	public void addViewControllers(ViewControllerRegistry registry) {
		registry.addRedirectViewController(path, path + "/");
		registry.addViewController(path + "/").setViewName("forward:" + path + "/index.html");
	}
}
