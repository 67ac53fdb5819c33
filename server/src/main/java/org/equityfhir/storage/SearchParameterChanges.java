package org.equityfhir.storage;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A SearchParameter stored on one instance becomes usable on every instance within
 * {@code equity.db.cache-check}. HAPI refreshes each instance's search-parameter registry from the database
 * only every 60 s, and at once only on the instance that stored the change. Here a change to a
 * SearchParameter also advances a counter row ({@code eq_cache_epoch}) inside the same transaction, and every
 * instance reads that row every {@code cache-check} and refreshes its registry when the counter moved.
 */
@Component
@Interceptor
class SearchParameterChanges implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(SearchParameterChanges.class);
	static final String NAME = "search-parameters";

	private final JdbcTemplate jdbc;
	private final ISearchParamRegistry registry;
	private final DatabaseProperties db;
	private final AtomicLong seen = new AtomicLong(Long.MIN_VALUE);
	private volatile ScheduledExecutorService executor;

	SearchParameterChanges(DataSource dataSource, ISearchParamRegistry registry, DatabaseProperties db, ClusterLock lock,
			IInterceptorService storageInterceptors) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.registry = registry;
		this.db = db;
		lock.runExclusively("cache-epoch-schema", () -> {
			jdbc.execute("CREATE TABLE IF NOT EXISTS eq_cache_epoch (name VARCHAR(40) PRIMARY KEY, epoch BIGINT NOT NULL)");
			if (jdbc.queryForList("SELECT epoch FROM eq_cache_epoch WHERE name=?", Long.class, NAME).isEmpty()) {
				jdbc.update("INSERT INTO eq_cache_epoch (name, epoch) VALUES (?, 0)", NAME);
			}
		});
		storageInterceptors.registerInterceptor(this);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
	void created(IBaseResource resource) {
		changed(resource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
	void updated(IBaseResource previous, IBaseResource resource) {
		changed(resource);
	}

	@Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
	void deleted(IBaseResource resource) {
		changed(resource);
	}

	private void changed(IBaseResource resource) {
		if ("SearchParameter".equals(resource.fhirType())) {
			// inside the storing transaction: other instances see the new count exactly when they can see the change
			jdbc.update("UPDATE eq_cache_epoch SET epoch = epoch + 1 WHERE name=?", NAME);
		}
	}

	/** Refreshes this instance's registry if another instance (or this one) changed a SearchParameter since the last look. */
	void check() {
		try {
			List<Long> epoch = jdbc.queryForList("SELECT epoch FROM eq_cache_epoch WHERE name=?", Long.class, NAME);
			if (epoch.isEmpty()) {
				return;
			}
			long previous = seen.getAndSet(epoch.get(0));
			if (previous != Long.MIN_VALUE && previous != epoch.get(0)) {
				registry.forceRefresh();
				log.debug("Search parameters changed (epoch {}): registry refreshed", epoch.get(0));
			}
		} catch (RuntimeException e) {
			log.debug("Could not check for search parameter changes: {}", e.toString());
		}
	}

	@Override
	public void start() {
		check();
		executor = Executors.newSingleThreadScheduledExecutor(r -> {
			Thread t = new Thread(r, "equity-search-parameter-changes");
			t.setDaemon(true);
			return t;
		});
		long period = db.cacheCheck().toMillis();
		executor.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		ScheduledExecutorService e = executor;
		if (e != null) {
			e.shutdownNow();
			executor = null;
		}
	}

	@Override
	public boolean isRunning() {
		return executor != null;
	}
}
