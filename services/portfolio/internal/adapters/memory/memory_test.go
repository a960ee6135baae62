package memory_test

import (
	"testing"

	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/adapters/memory"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/adapters/porttest"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/app"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/domain"
	"github.com/shopspring/decimal"
)

func TestContract(t *testing.T) {
	porttest.Run(t, func(t *testing.T) porttest.Ports {
		m := &memory.Market{
			Known:  map[market.Symbol]domain.Asset{},
			Quotes: map[market.Symbol]domain.Quote{},
			Trades: map[market.Symbol]decimal.Decimal{},
		}
		value := decimal.Zero
		price := decimal.NewFromInt(100)
		add := func(s market.Symbol) {
			m.Known[s] = domain.Asset{Tradable: true, Fractionable: true}
			m.Quotes[s] = domain.Quote{Bid: price.Sub(decimal.New(1, -2)), Ask: price.Add(decimal.New(1, -2))}
			m.Trades[s] = price
		}
		for s, n := range porttest.Holdings {
			add(s)
			m.Holdings = append(m.Holdings, domain.Position{Symbol: s, Qty: decimal.NewFromInt(n)})
			value = value.Add(price.Mul(decimal.NewFromInt(n)))
		}
		for _, s := range porttest.Quoted {
			add(s)
		}
		cash := decimal.NewFromInt(5000)
		m.Acct = app.Account{Equity: market.NewMoney(cash.Add(value)), Cash: market.NewMoney(cash)}
		return porttest.Ports{Broker: m, Market: m, Unknown: "NOPE"}
	})
}
