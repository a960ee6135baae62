package idempotency

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SQLite is a Store in an SQLite table, shared by every process that opens the same database
// file. Open the database with pkg/sqlitedb so that transactions take the write lock when they
// begin and concurrent claimants wait rather than fail.
type SQLite struct {
	db *sql.DB
}

var _ Store = (*SQLite)(nil)

const sqliteSchema = `
CREATE TABLE IF NOT EXISTS idempotency_keys (
	key        TEXT PRIMARY KEY,
	owner      TEXT NOT NULL,
	state      TEXT NOT NULL CHECK (state IN ('in_progress', 'done')),
	-- lease_until ends an in-progress claim; expires_at ends a completed key. Unix milliseconds.
	lease_until INTEGER NOT NULL,
	expires_at  INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_keys_expires_at ON idempotency_keys (expires_at);
`

// NewSQLite returns a Store in db, creating its table idempotency_keys if needed.
func NewSQLite(db *sql.DB) (*SQLite, error) {
	return NewSQLiteContext(context.Background(), db)
}

// NewSQLiteContext is NewSQLite with a context for creating the table.
func NewSQLiteContext(ctx context.Context, db *sql.DB) (*SQLite, error) {
	if db == nil {
		return nil, errors.New("create idempotency store: nil database")
	}
	if _, err := db.ExecContext(ctx, sqliteSchema); err != nil {
		return nil, fmt.Errorf("create idempotency table: %w", err)
	}
	return &SQLite{db: db}, nil
}

// claimSQL inserts the key, or takes it over when the holder's lease or the completion has
// expired; the conditional upsert is the whole decision, so it is atomic.
const claimSQL = `
INSERT INTO idempotency_keys (key, owner, state, lease_until, expires_at)
VALUES (?1, ?2, 'in_progress', ?3, NULL)
ON CONFLICT (key) DO UPDATE SET
	owner = excluded.owner, state = 'in_progress', lease_until = excluded.lease_until, expires_at = NULL
WHERE (idempotency_keys.state = 'in_progress' AND idempotency_keys.lease_until <= ?4)
   OR (idempotency_keys.state = 'done' AND idempotency_keys.expires_at <= ?4)`

// Claim implements Store.
func (s *SQLite) Claim(ctx context.Context, key, owner string, now time.Time, lease time.Duration) (ClaimResult, error) {
	if err := checkArgs("claim", key, owner, lease); err != nil {
		return 0, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("claim %s: begin: %w", key, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, claimSQL, key, owner, now.Add(lease).UnixMilli(), now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("claim %s: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("claim %s: %w", key, err)
	}
	result := Acquired
	if n == 0 {
		var state string
		if err := tx.QueryRowContext(ctx, `SELECT state FROM idempotency_keys WHERE key = ?1`, key).Scan(&state); err != nil {
			return 0, fmt.Errorf("claim %s: read state: %w", key, err)
		}
		result = InProgress
		if state == "done" {
			result = Done
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("claim %s: commit: %w", key, err)
	}
	return result, nil
}

// Complete implements Store.
func (s *SQLite) Complete(ctx context.Context, key, owner string, now time.Time, retain time.Duration) error {
	if err := checkArgs("complete", key, owner, retain); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE idempotency_keys SET state = 'done', expires_at = ?3
		WHERE key = ?1 AND owner = ?2 AND state = 'in_progress'`, key, owner, now.Add(retain).UnixMilli())
	return affectedOne("complete", key, res, err)
}

// Release implements Store.
func (s *SQLite) Release(ctx context.Context, key, owner string) error {
	if err := checkArgs("release", key, owner, 1); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE key = ?1 AND owner = ?2 AND state = 'in_progress'`, key, owner)
	return affectedOne("release", key, res, err)
}

func affectedOne(op, key string, res sql.Result, err error) error {
	if err != nil {
		return fmt.Errorf("%s %s: %w", op, key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s %s: %w", op, key, err)
	}
	if n == 0 {
		return fmt.Errorf("%s %s: %w", op, key, ErrNotOwner)
	}
	return nil
}

// Sweep deletes the completed keys whose retention ended before now and returns how many.
func (s *SQLite) Sweep(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE state = 'done' AND expires_at <= ?1`, now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("sweep idempotency keys: %w", err)
	}
	return res.RowsAffected()
}
