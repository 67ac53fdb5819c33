package org.equityfhir.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.equityfhir.testsupport.PostgresRequired;
import org.equityfhir.testsupport.PostgresTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two server instances (two connection pools) never hold the same named lock at once. */
@ExtendWith(PostgresRequired.class)
class ClusterLockPostgresIT {

	@Test
	void holdersOnDifferentInstancesNeverOverlap() throws Exception {
		String url = PostgresTestDatabase.create("lock");
		DatabaseProperties db = properties(url, Partitioning.NONE);
		try (HikariDataSource first = pool(url); HikariDataSource second = pool(url)) {
			List<ClusterLock> instances = List.of(new ClusterLock(first, db), new ClusterLock(second, db));
			AtomicInteger inside = new AtomicInteger();
			AtomicInteger maxInside = new AtomicInteger();
			AtomicInteger completed = new AtomicInteger();
			CountDownLatch start = new CountDownLatch(1);
			ExecutorService threads = Executors.newFixedThreadPool(4);
			List<Future<?>> runs = new ArrayList<>();
			for (int i = 0; i < 8; i++) {
				ClusterLock lock = instances.get(i % 2);
				runs.add(threads.submit(() -> {
					start.await();
					lock.runExclusively("equity-test-lock", () -> {
						maxInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
						sleep(50);
						inside.decrementAndGet();
						completed.incrementAndGet();
					});
					return null;
				}));
			}
			start.countDown();
			for (Future<?> run : runs) {
				run.get();
			}
			threads.shutdown();
			assertThat(completed).hasValue(8);
			assertThat(maxInside).hasValue(1);
		}
	}

	static DatabaseProperties properties(String url, Partitioning partitioning) {
		return new DatabaseProperties(url, PostgresTestDatabase.user(), PostgresTestDatabase.password(), Path.of("unused"), 4,
				Duration.ofSeconds(5), Duration.ofSeconds(2), partitioning);
	}

	static HikariDataSource pool(String url) {
		HikariDataSource ds = new HikariDataSource();
		ds.setJdbcUrl(url);
		ds.setUsername(PostgresTestDatabase.user());
		ds.setPassword(PostgresTestDatabase.password());
		ds.setMaximumPoolSize(4);
		return ds;
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
