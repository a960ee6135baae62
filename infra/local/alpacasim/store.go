package alpacasim

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/shopspring/decimal"
	_ "modernc.org/sqlite" // the pure-Go SQLite driver
)

// store keeps the account in SQLite (WAL) so it survives restarts.
type store struct {
	db *sql.DB
}

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

func openStore(dir string) (*store, error) {
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
	return &store{db: db}, nil
}

func (st *store) close() error { return st.db.Close() }

type accountState struct {
	Cash      decimal.Decimal `json:"cash"`
	Positions []Position      `json:"positions"`
	CreatedAt time.Time       `json:"created_at"`
}

// restore loads the account and orders, if the database has them. Must be called before the
// server is shared.
func (s *Server) restore() error {
	var v string
	err := s.store.db.QueryRow(`SELECT v FROM account WHERE k = 'state'`).Scan(&v)
	if err == sql.ErrNoRows {
		s.persistAccount() // a fresh account: record the starting cash
		return nil
	}
	if err != nil {
		return fmt.Errorf("restore simulator account: %w", err)
	}
	var st accountState
	if err := json.Unmarshal([]byte(v), &st); err != nil {
		return fmt.Errorf("restore simulator account: decode: %w", err)
	}
	s.cash = st.Cash
	s.createdAt = st.CreatedAt
	for _, p := range st.Positions {
		p := p
		s.positions[p.Symbol] = &p
	}
	rows, err := s.store.db.Query(`SELECT body FROM orders ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("restore simulator orders: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return fmt.Errorf("restore simulator orders: %w", err)
		}
		var o Order
		if err := json.Unmarshal([]byte(body), &o); err != nil {
			return fmt.Errorf("restore simulator order: decode: %w", err)
		}
		s.orders = append(s.orders, &o)
		s.byID[o.ID] = &o
		s.byClientID[o.ClientOrderID] = &o
		s.traded[o.Symbol] = true
		if o.open() {
			s.open = append(s.open, &o)
		}
		s.orderSeq = max(s.orderSeq, o.Seq)
	}
	return rows.Err()
}

func (s *Server) persistOrder(o *Order) {
	if s.store == nil {
		return
	}
	b, err := json.Marshal(o)
	if err == nil {
		_, err = s.store.db.Exec(`INSERT INTO orders (seq, id, client_order_id, body) VALUES (?, ?, ?, ?)
			ON CONFLICT(seq) DO UPDATE SET body = excluded.body`, o.Seq, o.ID, o.ClientOrderID, string(b))
	}
	if err != nil {
		s.cfg.Logger.Error("alpacasim: save order", "order_id", o.ID, "err", err)
	}
}

func (s *Server) persistAccount() {
	if s.store == nil {
		return
	}
	st := accountState{Cash: s.cash, CreatedAt: s.createdAt}
	for _, p := range s.sortedPositions() {
		st.Positions = append(st.Positions, *p)
	}
	b, err := json.Marshal(st)
	if err == nil {
		_, err = s.store.db.Exec(`INSERT INTO account (k, v) VALUES ('state', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v`, string(b))
	}
	if err != nil {
		s.cfg.Logger.Error("alpacasim: save account", "err", err)
	}
}
