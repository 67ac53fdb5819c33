package org.equityfhir.directory;

import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The directory page for member services at /directory: static files in the resources folder of this
 * package ({@code page/}), which call only the FHIR API, so whatever the API masks the page never sees.
 * {@code page/places.json} lists Minnesota cities and neighbourhoods with one ZIP code and an approximate
 * centre (WGS84), written by us from public geography, for "near a city or ZIP" searches.
 */
class DirectoryPage implements WebMvcConfigurer {

	static final String PATH = "/directory";

	@Override
	public void addResourceHandlers(ResourceHandlerRegistry registry) {
		registry.addResourceHandler(PATH + "/**").addResourceLocations("classpath:/org/equityfhir/directory/page/");
	}

	@Override
	public void addViewControllers(ViewControllerRegistry registry) {
		registry.addRedirectViewController(PATH, PATH + "/");
		registry.addViewController(PATH + "/").setViewName("forward:" + PATH + "/index.html");
	}
}
