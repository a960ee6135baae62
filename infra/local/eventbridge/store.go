package eventbridge

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/alchemiser/alchemiser/pkg/sqlitedb"
)

// openDB opens (creating if needed) the SQLite database at path in WAL mode.
func openDB(path string) (*sql.DB, error) {
	db, err := sqlitedb.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open bus state: %w", err)
	}
	return db, nil
}

const schema = `
CREATE TABLE IF NOT EXISTS buses (
	name TEXT PRIMARY KEY,
	description TEXT NOT NULL DEFAULT '',
	created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS rules (
	bus TEXT NOT NULL,
	name TEXT NOT NULL,
	pattern TEXT NOT NULL DEFAULT '',
	schedule TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	role_arn TEXT NOT NULL DEFAULT '',
	managed_by TEXT NOT NULL DEFAULT '',
	created_ms INTEGER NOT NULL,
	PRIMARY KEY (bus, name)
);
CREATE TABLE IF NOT EXISTS targets (
	bus TEXT NOT NULL,
	rule TEXT NOT NULL,
	id TEXT NOT NULL,
	spec TEXT NOT NULL,
	PRIMARY KEY (bus, rule, id)
);
CREATE TABLE IF NOT EXISTS archives (
	name TEXT PRIMARY KEY,
	bus TEXT NOT NULL,
	pattern TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	retention_days INTEGER NOT NULL DEFAULT 0,
	state TEXT NOT NULL,
	created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS archive_events (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	archive TEXT NOT NULL,
	time_ms INTEGER NOT NULL,
	envelope BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS archive_events_time ON archive_events (archive, time_ms);
CREATE TABLE IF NOT EXISTS replays (
	name TEXT PRIMARY KEY,
	archive TEXT NOT NULL,
	bus TEXT NOT NULL,
	filter_arns TEXT NOT NULL DEFAULT '[]',
	description TEXT NOT NULL DEFAULT '',
	start_ms INTEGER NOT NULL,
	end_ms INTEGER NOT NULL,
	state TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	created_ms INTEGER NOT NULL,
	began_ms INTEGER NOT NULL DEFAULT 0,
	finished_ms INTEGER NOT NULL DEFAULT 0,
	last_ms INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS events (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	id TEXT NOT NULL,
	bus TEXT NOT NULL,
	time_ms INTEGER NOT NULL,
	received_ms INTEGER NOT NULL,
	correlation_id TEXT NOT NULL DEFAULT '',
	rules TEXT NOT NULL DEFAULT '',
	envelope BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS events_correlation ON events (correlation_id);
CREATE TABLE IF NOT EXISTS deliveries (
	id INTEGER PRIMARY KEY,
	event_id TEXT NOT NULL,
	correlation_id TEXT NOT NULL DEFAULT '',
	bus TEXT NOT NULL,
	rule TEXT NOT NULL,
	target_id TEXT NOT NULL,
	target_arn TEXT NOT NULL,
	event_seq INTEGER NOT NULL DEFAULT 0,
	input BLOB NOT NULL,
	received_ms INTEGER NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_ms INTEGER NOT NULL DEFAULT 0,
	max_retries INTEGER NOT NULL,
	max_age_s INTEGER NOT NULL,
	dlq_arn TEXT NOT NULL DEFAULT '',
	last_code TEXT NOT NULL DEFAULT '',
	last_message TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS attempts (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	event_id TEXT NOT NULL,
	correlation_id TEXT NOT NULL DEFAULT '',
	rule TEXT NOT NULL,
	target_id TEXT NOT NULL,
	target_arn TEXT NOT NULL,
	attempt INTEGER NOT NULL,
	at_ms INTEGER NOT NULL,
	latency_us INTEGER NOT NULL,
	outcome TEXT NOT NULL,
	error_code TEXT NOT NULL DEFAULT '',
	error_message TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS attempts_correlation ON attempts (correlation_id);
CREATE TABLE IF NOT EXISTS queues (
	name TEXT PRIMARY KEY,
	attributes TEXT NOT NULL DEFAULT '{}',
	created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
	id TEXT PRIMARY KEY,
	queue TEXT NOT NULL,
	body BLOB NOT NULL,
	attributes TEXT NOT NULL DEFAULT '{}',
	sent_ms INTEGER NOT NULL,
	visible_ms INTEGER NOT NULL,
	receive_count INTEGER NOT NULL DEFAULT 0,
	receipt TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS messages_queue ON messages (queue, visible_ms);
CREATE INDEX IF NOT EXISTS messages_receipt ON messages (receipt);
`

// addedColumns are columns added after the first schema, with their definitions, so that an
// older state folder is upgraded in place.
var addedColumns = []struct{ table, column, def string }{
	{"deliveries", "event_seq", "INTEGER NOT NULL DEFAULT 0"},
	{"deliveries", "last_code", "TEXT NOT NULL DEFAULT ''"},
	{"deliveries", "last_message", "TEXT NOT NULL DEFAULT ''"},
}

func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	for _, c := range addedColumns {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?`, c.table, c.column).Scan(&n); err != nil {
			return fmt.Errorf("inspect table %s: %w", c.table, err)
		}
		if n == 0 {
			if _, err := db.ExecContext(ctx, fmt.Sprintf(`ALTER TABLE %s ADD COLUMN %s %s`, c.table, c.column, c.def)); err != nil {
				return fmt.Errorf("add column %s.%s: %w", c.table, c.column, err)
			}
		}
	}
	return nil
}
