// Package memory is an in-memory broker and market-data source for tests and local dry runs: it
// implements app.Broker and app.MarketData from plain maps.
package memory

import (
	"context"
	"sync"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/app"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/domain"
	"github.com/shopspring/decimal"
)

var (
	_ app.Broker     = (*Market)(nil)
	_ app.MarketData = (*Market)(nil)
)

// Market holds an account, its positions, the assets and the prices. Set the fields before use;
// Err, when set, is returned by every call. Calls records the names of the calls made.
type Market struct {
	Acct     app.Account
	Holdings []domain.Position
	Known    map[market.Symbol]domain.Asset
	Quotes   map[market.Symbol]domain.Quote
	Trades   map[market.Symbol]decimal.Decimal
	Err      error

	mu    sync.Mutex
	calls []string
}

// Calls returns the calls made so far, such as "LatestTrades [ABC]".
func (m *Market) Calls() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.calls...)
}

func (m *Market) record(name string, symbols []market.Symbol) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if symbols == nil {
		m.calls = append(m.calls, name)
		return
	}
	s := name + " ["
	for i, x := range symbols {
		if i > 0 {
			s += " "
		}
		s += string(x)
	}
	m.calls = append(m.calls, s+"]")
}

// Account returns Acct.
func (m *Market) Account(context.Context) (app.Account, error) {
	m.record("Account", nil)
	return m.Acct, m.Err
}

// Positions returns Holdings.
func (m *Market) Positions(context.Context) ([]domain.Position, error) {
	m.record("Positions", nil)
	return append([]domain.Position(nil), m.Holdings...), m.Err
}

// Assets returns the known assets among symbols.
func (m *Market) Assets(_ context.Context, symbols []market.Symbol) (map[market.Symbol]domain.Asset, error) {
	m.record("Assets", symbols)
	out := map[market.Symbol]domain.Asset{}
	for _, s := range symbols {
		if a, ok := m.Known[s]; ok {
			out[s] = a
		}
	}
	return out, m.Err
}

// LatestQuotes returns the bid and ask of the symbols that have a quote.
func (m *Market) LatestQuotes(_ context.Context, symbols []market.Symbol) (map[market.Symbol]domain.Quote, error) {
	m.record("LatestQuotes", symbols)
	out := map[market.Symbol]domain.Quote{}
	for _, s := range symbols {
		if q, ok := m.Quotes[s]; ok {
			out[s] = domain.Quote{Bid: q.Bid, Ask: q.Ask}
		}
	}
	return out, m.Err
}

// LatestTrades returns the last trade of the symbols that have one.
func (m *Market) LatestTrades(_ context.Context, symbols []market.Symbol) (map[market.Symbol]decimal.Decimal, error) {
	m.record("LatestTrades", symbols)
	out := map[market.Symbol]decimal.Decimal{}
	for _, s := range symbols {
		if t, ok := m.Trades[s]; ok {
			out[s] = t
		}
	}
	return out, m.Err
}
