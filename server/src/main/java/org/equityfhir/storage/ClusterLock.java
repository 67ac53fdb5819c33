package org.equityfhir.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * A named lock shared by every server instance on the database, for one-off work such as installing
 * packages at start-up. On PostgreSQL it is a session advisory lock; an embedded H2 file database
 * belongs to a single process, so a JVM monitor is enough there.
 */
@Component
public class ClusterLock {

	private final DataSource dataSource;
	private final DatabaseKind kind;

	public ClusterLock(DataSource dataSource, DatabaseProperties db) {
		this.dataSource = dataSource;
		this.kind = db.kind();
	}

	public void runExclusively(String name, Runnable work) {
		if (kind != DatabaseKind.POSTGRESQL) {
			synchronized (this) {
				work.run();
			}
			return;
		}
		long key = name.hashCode();
		try (Connection connection = dataSource.getConnection()) {
			call(connection, "SELECT pg_advisory_lock(?)", key);
			try {
				work.run();
			} finally {
				call(connection, "SELECT pg_advisory_unlock(?)", key);
			}
		} catch (SQLException e) {
			throw new IllegalStateException("Could not take the database lock " + name, e);
		}
	}

	private static void call(Connection connection, String sql, long key) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(sql)) {
			statement.setLong(1, key);
			statement.execute();
		}
	}
}
