package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// SQLite is a Store in a SQLite database (open it with pkg/sqlitedb). The record is kept as JSON
// beside the columns that queries use; Update is one conditional UPDATE on the version column.
type SQLite struct {
	db *sql.DB
}

var _ Store = (*SQLite)(nil)

const schema = `
CREATE TABLE IF NOT EXISTS workflows (
	correlation_id TEXT PRIMARY KEY,
	version        INTEGER NOT NULL,
	state          TEXT NOT NULL,
	started_at     INTEGER NOT NULL,
	open           INTEGER NOT NULL,
	record         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS workflows_started ON workflows (started_at);
CREATE INDEX IF NOT EXISTS workflows_open ON workflows (open) WHERE open = 1;
`

// NewSQLite creates the table if needed and returns the store.
func NewSQLite(ctx context.Context, db *sql.DB) (*SQLite, error) {
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return nil, fmt.Errorf("create workflows table: %w", err)
	}
	return &SQLite{db: db}, nil
}

// Create implements Store.
func (s *SQLite) Create(ctx context.Context, r Record) error {
	r.Version = 1
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("create workflow %s: %w", r.CorrelationID, err)
	}
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO workflows (correlation_id, version, state, started_at, open, record) VALUES (?, 1, ?, ?, ?, ?)
		 ON CONFLICT (correlation_id) DO NOTHING`,
		r.CorrelationID, r.State, r.StartedAt.UnixNano(), boolInt(r.Open()), string(b))
	if err != nil {
		return fmt.Errorf("create workflow %s: %w", r.CorrelationID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("create workflow %s: %w", r.CorrelationID, err)
	} else if n == 0 {
		return fmt.Errorf("create workflow %s: %w", r.CorrelationID, ErrConflict)
	}
	return nil
}

// Get implements Store.
func (s *SQLite) Get(ctx context.Context, id string) (Record, error) {
	var b string
	err := s.db.QueryRowContext(ctx, `SELECT record FROM workflows WHERE correlation_id = ?`, id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return Record{}, fmt.Errorf("get workflow %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Record{}, fmt.Errorf("get workflow %s: %w", id, err)
	}
	return decode(id, []byte(b))
}

// Update implements Store.
func (s *SQLite) Update(ctx context.Context, r Record) (Record, error) {
	expected := r.Version
	r.Version++
	b, err := json.Marshal(r)
	if err != nil {
		return Record{}, fmt.Errorf("update workflow %s: %w", r.CorrelationID, err)
	}
	res, err := s.db.ExecContext(ctx,
		`UPDATE workflows SET version = ?, state = ?, started_at = ?, open = ?, record = ?
		 WHERE correlation_id = ? AND version = ?`,
		r.Version, r.State, r.StartedAt.UnixNano(), boolInt(r.Open()), string(b), r.CorrelationID, expected)
	if err != nil {
		return Record{}, fmt.Errorf("update workflow %s: %w", r.CorrelationID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return Record{}, fmt.Errorf("update workflow %s: %w", r.CorrelationID, err)
	}
	if n == 0 {
		if _, err := s.Get(ctx, r.CorrelationID); err != nil {
			return Record{}, fmt.Errorf("update workflow: %w", err)
		}
		return Record{}, fmt.Errorf("update workflow %s at version %d: %w", r.CorrelationID, expected, ErrConflict)
	}
	return r, nil
}

// List implements Store.
func (s *SQLite) List(ctx context.Context, f Filter) ([]Record, error) {
	var where []string
	var args []any
	if f.State != "" {
		where, args = append(where, "state = ?"), append(args, f.State)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "started_at >= ?"), append(args, f.Since.UnixNano())
	}
	if f.OpenOnly {
		where = append(where, "open = 1")
	}
	q := `SELECT correlation_id, record FROM workflows`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY started_at DESC, correlation_id ASC"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list workflows: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var id, b string
		if err := rows.Scan(&id, &b); err != nil {
			return nil, fmt.Errorf("list workflows: %w", err)
		}
		r, err := decode(id, []byte(b))
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list workflows: %w", err)
	}
	return out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
