package alpacasim

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Store keeps the simulated account across restarts. The sqlitestore package gives a SQLite
// implementation; without a Store the account lives in memory.
type Store interface {
	// Load returns the saved account and every saved order, oldest first; ok is false when
	// nothing was saved yet.
	Load() (acct AccountState, orders []Order, ok bool, err error)
	// SaveOrder inserts or updates an order, keyed by its Seq.
	SaveOrder(o Order) error
	// SaveAccount replaces the saved account.
	SaveAccount(a AccountState) error
	// Close releases the store.
	Close() error
}

// AccountState is the part of the account a Store saves besides the orders.
type AccountState struct {
	Cash      decimal.Decimal `json:"cash"`
	Positions []Position      `json:"positions"`
	CreatedAt time.Time       `json:"created_at"`
}

// restore loads the account and orders from the store, if it has them. Must be called before
// the server is shared.
func (s *Server) restore() error {
	acct, orders, ok, err := s.store.Load()
	if err != nil {
		return fmt.Errorf("restore simulator account: %w", err)
	}
	if !ok {
		s.persistAccount() // a fresh account: record the starting cash
		return nil
	}
	s.cash = acct.Cash
	s.lastEquity = acct.Cash
	s.createdAt = acct.CreatedAt
	for _, p := range acct.Positions {
		p := p
		s.positions[p.Symbol] = &p
	}
	for i := range orders {
		o := &orders[i]
		s.orders = append(s.orders, o)
		s.byID[o.ID] = o
		s.byClientID[o.ClientOrderID] = o
		s.traded[o.Symbol] = true
		if o.open() {
			s.open = append(s.open, o)
		}
		s.orderSeq = max(s.orderSeq, o.Seq)
	}
	return nil
}

func (s *Server) persistOrder(o *Order) {
	if s.store == nil {
		return
	}
	if err := s.store.SaveOrder(*o); err != nil {
		s.cfg.Logger.Error("alpacasim: save order", "order_id", o.ID, "err", err)
	}
}

func (s *Server) persistAccount() {
	if s.store == nil {
		return
	}
	st := AccountState{Cash: s.cash, CreatedAt: s.createdAt}
	for _, p := range s.sortedPositions() {
		st.Positions = append(st.Positions, *p)
	}
	if err := s.store.SaveAccount(st); err != nil {
		s.cfg.Logger.Error("alpacasim: save account", "err", err)
	}
}
