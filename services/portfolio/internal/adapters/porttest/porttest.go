// Package porttest is the contract suite of the planner's ports, app.Broker and app.MarketData.
// Every implementation runs it: the in-memory fake and the Alpaca adapter against the simulator.
// That is how the fake earns the trust the handler tests put in it.
package porttest

import (
	"context"
	"slices"
	"testing"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/app"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/domain"
	"github.com/shopspring/decimal"
)

// Ports is one implementation under test.
type Ports struct {
	Broker app.Broker
	Market app.MarketData
	// Unknown is a symbol the implementation does not know, or "" when it knows every
	// well-formed symbol (the simulator's generator has bars for any ticker).
	Unknown market.Symbol
}

// Holdings are the positions a factory must set up: the symbol and whole shares held. The
// account also holds cash, and the symbols in Quoted have prices but are not held.
var (
	Holdings = map[market.Symbol]int64{"SPY": 10, "TLT": 4}
	Quoted   = []market.Symbol{"QQQ"}
)

// Run runs the suite against the ports newPorts returns; newPorts sets up an account holding
// Holdings, with prices for those and for Quoted.
func Run(t *testing.T, newPorts func(t *testing.T) Ports) {
	ctx := context.Background()
	t.Run("account has positive equity and reports cash", func(t *testing.T) {
		p := newPorts(t)
		a, err := p.Broker.Account(ctx)
		if err != nil {
			t.Fatalf("Account: %v", err)
		}
		if !a.Equity.Decimal().IsPositive() {
			t.Errorf("equity %s is not positive", a.Equity)
		}
		if a.Cash.Decimal().GreaterThan(a.Equity.Decimal()) {
			t.Errorf("cash %s exceeds equity %s while positions are held", a.Cash, a.Equity)
		}
	})
	t.Run("positions are the holdings", func(t *testing.T) {
		p := newPorts(t)
		ps, err := p.Broker.Positions(ctx)
		if err != nil {
			t.Fatalf("Positions: %v", err)
		}
		got := map[market.Symbol]decimal.Decimal{}
		for _, x := range ps {
			got[x.Symbol] = x.Qty
		}
		if len(got) != len(Holdings) {
			t.Errorf("positions %v, want %v", got, Holdings)
		}
		for s, n := range Holdings {
			if q, ok := got[s]; !ok || !q.Equal(decimal.NewFromInt(n)) {
				t.Errorf("%s: qty %s, want %d", s, q, n)
			}
		}
	})
	t.Run("assets are known and tradable, unknown ones left out", func(t *testing.T) {
		p := newPorts(t)
		syms := append(sortedHoldings(), Quoted...)
		if p.Unknown != "" {
			syms = append(syms, p.Unknown)
		}
		as, err := p.Broker.Assets(ctx, syms)
		if err != nil {
			t.Fatalf("Assets: %v", err)
		}
		for _, s := range syms {
			a, ok := as[s]
			switch {
			case s == p.Unknown && ok:
				t.Errorf("%s: unknown symbol returned as %+v", s, a)
			case s != p.Unknown && (!ok || !a.Tradable):
				t.Errorf("%s: want a tradable asset, got %+v (found %t)", s, a, ok)
			}
		}
	})
	t.Run("quotes are two-sided and positive, or absent", func(t *testing.T) {
		p := newPorts(t)
		syms := append(sortedHoldings(), Quoted...)
		qs, err := p.Market.LatestQuotes(ctx, syms)
		if err != nil {
			t.Fatalf("LatestQuotes: %v", err)
		}
		for s, q := range qs {
			if !slices.Contains(syms, s) {
				t.Errorf("%s: quote for a symbol not asked for", s)
			}
			if !q.Bid.IsPositive() || !q.Ask.IsPositive() || !q.Last.IsZero() {
				t.Errorf("%s: quote %+v: want positive bid and ask and no last trade", s, q)
			}
			if _, ok := domain.ReferencePrice(q); !ok && !q.Bid.GreaterThan(q.Ask) {
				t.Errorf("%s: quote %+v gives no price", s, q)
			}
		}
		for _, s := range syms {
			if _, ok := qs[s]; !ok {
				t.Errorf("%s: no quote", s)
			}
		}
	})
	t.Run("last trades are positive", func(t *testing.T) {
		p := newPorts(t)
		syms := append(sortedHoldings(), Quoted...)
		ts, err := p.Market.LatestTrades(ctx, syms)
		if err != nil {
			t.Fatalf("LatestTrades: %v", err)
		}
		for _, s := range syms {
			if px, ok := ts[s]; !ok || !px.IsPositive() {
				t.Errorf("%s: last trade %s (found %t)", s, px, ok)
			}
		}
	})
}

func sortedHoldings() []market.Symbol {
	out := make([]market.Symbol, 0, len(Holdings))
	for s := range Holdings {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}
