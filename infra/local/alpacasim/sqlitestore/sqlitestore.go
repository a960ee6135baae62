// Package sqlitestore keeps the Alpaca simulator's account in SQLite (WAL mode), so the paper
// account survives restarts of `alchemiser local up`.
package sqlitestore

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver

	"github.com/alchemiser/alchemiser/infra/local/alpacasim"
)

// Store is a SQLite alpacasim.Store. It is safe for concurrent use.
type Store struct {
	db *sql.DB
}

var _ alpacasim.Store = (*Store)(nil)

const schema = `
CREATE TABLE IF NOT EXISTS orders (
	seq INTEGER PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	client_order_id TEXT NOT NULL UNIQUE,
	body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS account (
	k TEXT PRIMARY KEY,
	v TEXT NOT NULL
);`

// Open opens or creates the database alpacasim.db in dir.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("open simulator state: %w", err)
	}
	path := filepath.Join(dir, "alpacasim.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, fmt.Errorf("open simulator state %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("create simulator schema in %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// Load returns the saved account and orders.
func (s *Store) Load() (alpacasim.AccountState, []alpacasim.Order, bool, error) {
	var acct alpacasim.AccountState
	var v string
	err := s.db.QueryRow(`SELECT v FROM account WHERE k = 'state'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return acct, nil, false, nil
	}
	if err != nil {
		return acct, nil, false, fmt.Errorf("load account: %w", err)
	}
	if err := json.Unmarshal([]byte(v), &acct); err != nil {
		return acct, nil, false, fmt.Errorf("load account: decode: %w", err)
	}
	rows, err := s.db.Query(`SELECT seq, body FROM orders ORDER BY seq`)
	if err != nil {
		return acct, nil, false, fmt.Errorf("load orders: %w", err)
	}
	defer rows.Close()
	var orders []alpacasim.Order
	for rows.Next() {
		var seq int64
		var body string
		if err := rows.Scan(&seq, &body); err != nil {
			return acct, nil, false, fmt.Errorf("load orders: %w", err)
		}
		var o alpacasim.Order
		if err := json.Unmarshal([]byte(body), &o); err != nil {
			return acct, nil, false, fmt.Errorf("load order %d: decode: %w", seq, err)
		}
		orders = append(orders, o)
	}
	if err := rows.Err(); err != nil {
		return acct, nil, false, fmt.Errorf("load orders: %w", err)
	}
	return acct, orders, true, nil
}

// SaveOrder inserts or updates o.
func (s *Store) SaveOrder(o alpacasim.Order) error {
	b, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("save order %s: %w", o.ID, err)
	}
	_, err = s.db.Exec(`INSERT INTO orders (seq, id, client_order_id, body) VALUES (?, ?, ?, ?)
		ON CONFLICT(seq) DO UPDATE SET body = excluded.body`, o.Seq, o.ID, o.ClientOrderID, string(b))
	if err != nil {
		return fmt.Errorf("save order %s: %w", o.ID, err)
	}
	return nil
}

// SaveAccount replaces the saved account.
func (s *Store) SaveAccount(a alpacasim.AccountState) error {
	b, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("save account: %w", err)
	}
	if _, err := s.db.Exec(`INSERT INTO account (k, v) VALUES ('state', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v`, string(b)); err != nil {
		return fmt.Errorf("save account: %w", err)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }
