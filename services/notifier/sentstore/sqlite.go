package sentstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SQLite is a Store in a SQLite database (open it with pkg/sqlitedb). Claim is one conditional
// upsert, so of two concurrent claims exactly one succeeds.
type SQLite struct{ db *sql.DB }

var _ Store = (*SQLite)(nil)

const schema = `
CREATE TABLE IF NOT EXISTS sent_emails (
	key           TEXT PRIMARY KEY,
	sent          INTEGER NOT NULL DEFAULT 0,
	message_id    TEXT NOT NULL DEFAULT '',
	sent_at       INTEGER NOT NULL DEFAULT 0,
	claimed_until INTEGER NOT NULL DEFAULT 0,
	report        TEXT NOT NULL DEFAULT ''
);`

// NewSQLite creates the table if needed and returns the store.
func NewSQLite(ctx context.Context, db *sql.DB) (*SQLite, error) {
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return nil, fmt.Errorf("create sent_emails table: %w", err)
	}
	return &SQLite{db: db}, nil
}

// Claim implements Store.
func (s *SQLite) Claim(ctx context.Context, key string, now time.Time, lease time.Duration) error {
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO sent_emails (key, claimed_until) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET claimed_until = excluded.claimed_until
		WHERE sent_emails.sent = 0 AND sent_emails.claimed_until <= ?`,
		key, now.Add(lease).UnixNano(), now.UnixNano())
	if err != nil {
		return fmt.Errorf("claim %s: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("claim %s: %w", key, err)
	}
	if n == 1 {
		return nil
	}
	r, err := s.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("claim %s: %w", key, err)
	}
	if r.Sent {
		return fmt.Errorf("claim %s: %w (message %s)", key, ErrSent, r.MessageID)
	}
	return fmt.Errorf("claim %s: %w", key, ErrClaimed)
}

// Complete implements Store.
func (s *SQLite) Complete(ctx context.Context, key, messageID string, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO sent_emails (key, sent, message_id, sent_at) VALUES (?, 1, ?, ?)
		ON CONFLICT (key) DO UPDATE SET sent = 1, message_id = excluded.message_id, sent_at = excluded.sent_at, claimed_until = 0`,
		key, messageID, now.UnixNano())
	if err != nil {
		return fmt.Errorf("complete %s: %w", key, err)
	}
	return nil
}

// Release implements Store.
func (s *SQLite) Release(ctx context.Context, key string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE sent_emails SET claimed_until = 0 WHERE key = ? AND sent = 0`, key); err != nil {
		return fmt.Errorf("release %s: %w", key, err)
	}
	return nil
}

// Get implements Store.
func (s *SQLite) Get(ctx context.Context, key string) (Record, error) {
	var r Record
	var sent int
	var sentAt, until int64
	err := s.db.QueryRowContext(ctx, `SELECT key, sent, message_id, sent_at, claimed_until, report FROM sent_emails WHERE key = ?`, key).
		Scan(&r.Key, &sent, &r.MessageID, &sentAt, &until, &r.Report)
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, fmt.Errorf("get %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return Record{}, fmt.Errorf("get %s: %w", key, err)
	}
	r.Sent = sent == 1
	if sentAt != 0 {
		r.SentAt = time.Unix(0, sentAt).UTC()
	}
	if until != 0 {
		r.ClaimedUntil = time.Unix(0, until).UTC()
	}
	return r, nil
}

// SaveReport implements Store.
func (s *SQLite) SaveReport(ctx context.Context, key, report string) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO sent_emails (key, report) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET report = excluded.report`, key, report)
	if err != nil {
		return fmt.Errorf("save report %s: %w", key, err)
	}
	return nil
}
