// Package sqlitedb opens SQLite databases with the settings Alchemiser relies on, using the pure-Go
// driver modernc.org/sqlite (no cgo, so Lambda binaries stay static).
//
// A file database gets write-ahead logging, synchronous=NORMAL, a busy timeout, foreign keys and
// transactions that take the write lock when they begin (BEGIN IMMEDIATE), so that two writers
// wait for each other instead of failing with SQLITE_BUSY halfway through. An in-memory database
// (":memory:") is limited to a single connection, because each connection to ":memory:" would
// otherwise see its own empty database.
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Memory is the path of a private in-memory database.
const Memory = ":memory:"

// BusyTimeout is how long a statement waits for another connection's lock before failing.
const BusyTimeout = 5 * time.Second

// Open opens (creating if needed) the SQLite database at path, with its parent directory, and
// checks that it can be used. path may be Memory for an in-memory database.
func Open(path string) (*sql.DB, error) {
	return OpenContext(context.Background(), path)
}

// OpenContext is Open with a context for the initial check.
func OpenContext(ctx context.Context, path string) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("open sqlite: empty path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open sqlite %q: the path must not contain '?' or '#'", path)
	}
	pragmas := []string{
		fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()),
		"foreign_keys(1)",
	}
	memory := path == Memory
	if !memory {
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("open sqlite %q: create directory: %w", path, err)
			}
		}
		pragmas = append(pragmas, "journal_mode(WAL)", "synchronous(NORMAL)")
	}
	dsn := path + "?_txlock=immediate"
	for _, p := range pragmas {
		dsn += "&_pragma=" + p
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	if memory {
		// Every connection to ":memory:" is its own database: keep exactly one, forever.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %q: %w", path, err)
	}
	return db, nil
}

// OpenMemory opens a private in-memory database, for tests. It has a single connection: do not
// query through the *sql.DB while holding a transaction on it (use the transaction), or the
// query waits for the connection forever.
func OpenMemory() (*sql.DB, error) { return Open(Memory) }
