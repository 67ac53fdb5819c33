package org.equityfhir.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.equityfhir.testsupport.OnPostgres;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Citus cannot be installed here, so the distribution in docs/operations.md never runs. Everything up to that
 * line is checked against a database the server made in partition mode: the tables the page distributes are
 * exactly those with the partition id in their primary key, and they meet what Citus asks of distributed
 * tables (unique indexes and foreign keys that include the distribution column, no foreign key from a table
 * left on the coordinator).
 */
@OnPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CitusDistributionPostgresIT {

	private static final Path DOC = Path.of("..", "docs", "operations.md").toAbsolutePath().normalize();

	@Autowired
	DataSource dataSource;

	private JdbcTemplate jdbc;
	private Set<String> distributed;
	private Set<String> reference;
	private Set<String> dropped;

	@BeforeAll
	void readThePage() throws Exception {
		jdbc = new JdbcTemplate(dataSource);
		String page = Files.readString(DOC);
		distributed = calls(page, "create_distributed_table");
		reference = calls(page, "create_reference_table");
		dropped = new TreeSet<>();
		Matcher m = Pattern.compile("ALTER TABLE ([a-z0-9_]+) DROP CONSTRAINT ([a-z0-9_]+);").matcher(page);
		while (m.find()) {
			dropped.add(m.group(1) + "." + m.group(2));
		}
	}

	@Test
	void thePageDistributesExactlyTheTablesWhoseKeysCarryThePartitionId() {
		Set<String> partitioned = new TreeSet<>(jdbc.queryForList("""
				SELECT c.relname FROM pg_index i
				JOIN pg_class c ON c.oid = i.indrelid
				JOIN pg_namespace n ON n.oid = c.relnamespace
				JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY (i.indkey)
				WHERE i.indisprimary AND n.nspname = current_schema() AND a.attname = 'partition_id'
				""", String.class));
		assertThat(partitioned).contains("hfj_resource", "hfj_spidx_token");
		assertThat(distributed).isEqualTo(partitioned);
		assertThat(reference).isNotEmpty().allSatisfy(table -> assertThat(exists(table)).as(table).isTrue());
	}

	@Test
	void everyUniqueIndexOfADistributedTableIncludesThePartitionId() {
		List<String> lacking = jdbc.queryForList("""
				SELECT c.relname || ': ' || pg_get_indexdef(i.indexrelid) FROM pg_index i
				JOIN pg_class c ON c.oid = i.indrelid
				JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE i.indisunique AND n.nspname = current_schema() AND c.relname = ANY (?)
				AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
				    AND a.attnum = ANY (i.indkey) AND a.attname = 'partition_id')
				""", String.class, (Object) distributed.toArray(String[]::new));
		assertThat(lacking).isEmpty();
	}

	@Test
	void everyConstraintThePageDropsExists() {
		for (String constraint : dropped) {
			String[] parts = constraint.split("\\.");
			assertThat(jdbc.queryForObject("SELECT count(*) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
					+ " WHERE c.relname = ? AND lower(k.conname) = ?", Integer.class, parts[0], parts[1])).as(constraint).isEqualTo(1);
		}
	}

	@Test
	void foreignKeysStayWithinAShardOrPointAtAReferenceTable() {
		List<String[]> keys = jdbc.query("""
				SELECT src.relname, dst.relname, pg_get_constraintdef(k.oid), lower(k.conname) FROM pg_constraint k
				JOIN pg_class src ON src.oid = k.conrelid
				JOIN pg_class dst ON dst.oid = k.confrelid
				JOIN pg_namespace n ON n.oid = src.relnamespace
				WHERE k.contype = 'f' AND n.nspname = current_schema()
				""", (rs, i) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)});
		assertThat(keys).isNotEmpty();
		List<String> refused = new java.util.ArrayList<>();
		for (String[] key : keys) {
			String from = key[0];
			String to = key[1];
			if (dropped.contains(from + "." + key[3])) {
				continue; // the page drops it before distributing
			}
			boolean allowed = distributed.contains(from)
					// between distributed tables only when colocated by the partition id; otherwise to a copy on every node
					? (distributed.contains(to) ? key[2].contains("partition_id") : reference.contains(to))
					// a table left on the coordinator may not point into a distributed one
					: !distributed.contains(to);
			if (!allowed) {
				refused.add(from + "." + key[3] + " -> " + to + ": " + key[2]);
			}
		}
		assertThat(refused).isEmpty();
	}

	private boolean exists(String table) {
		return Boolean.TRUE.equals(jdbc.queryForObject(
				"SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
						+ " WHERE n.nspname = current_schema() AND c.relname = ?)", Boolean.class, table));
	}

	private static Set<String> calls(String page, String function) {
		Set<String> tables = new TreeSet<>();
		Matcher m = Pattern.compile(function + "\\('([a-z0-9_]+)'").matcher(page);
		while (m.find()) {
			tables.add(m.group(1));
		}
		return tables;
	}
}
