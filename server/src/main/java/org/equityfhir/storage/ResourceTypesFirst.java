package org.equityfhir.storage;

import ca.uhn.fhir.jpa.cache.ResourceTypeCacheSvcImpl;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.PriorityOrdered;
import org.springframework.stereotype.Component;

/**
 * HAPI 8.8.0 fills its resource-type table (HFJ_RESOURCE_TYPE) when its {@code ResourceTypeCacheSvcImpl}
 * starts, in the bean's own initialization. Instances starting together on an empty database race there,
 * and all but one stop with a duplicate key (seen with three instances started at once). So that bean's
 * start runs once first under {@link ClusterLock}: the first instance inserts the types, the others find them,
 * and HAPI's own start that follows finds nothing left to insert.
 */
@Component
class ResourceTypesFirst implements BeanPostProcessor, BeanFactoryAware, PriorityOrdered {

	private BeanFactory beans;

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beans = beanFactory;
	}

	@Override
	public Object postProcessBeforeInitialization(Object bean, String beanName) throws BeansException {
		if (bean instanceof ResourceTypeCacheSvcImpl resourceTypes) {
			beans.getBean(ClusterLock.class).runExclusively("resource-types", resourceTypes::start);
		}
		return bean;
	}

	@Override
	public int getOrder() {
		return HIGHEST_PRECEDENCE;
	}
}
