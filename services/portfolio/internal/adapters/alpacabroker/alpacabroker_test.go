package alpacabroker_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"golang.org/x/time/rate"

	"github.com/alchemiser/alchemiser/infra/local/alpacasim"
	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/adapters/alpacabroker"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/adapters/porttest"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/app"
)

var simOpen = time.Date(2024, 3, 28, 14, 0, 0, 0, time.UTC)

func simClient(t *testing.T) (string, *alpacaclient.Client) {
	t.Helper()
	srv, err := alpacasim.New(alpacasim.Config{Seed: 3, AsOf: simOpen})
	if err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c, err := alpacaclient.New(alpacaclient.Config{TradingURL: url, DataURL: url, KeyID: alpacasim.DefaultKeyID,
		SecretKey: alpacasim.DefaultSecretKey, Feed: "iex"}, alpacaclient.Options{
		Limiter: rate.NewLimiter(rate.Inf, 0), ReadAttempts: 1,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	})
	if err != nil {
		t.Fatal(err)
	}
	return url, c
}

func TestContract(t *testing.T) {
	porttest.Run(t, func(t *testing.T) porttest.Ports {
		_, c := simClient(t)
		for s, n := range porttest.Holdings {
			q := market.NewQty(decimal.NewFromInt(n))
			if _, err := c.PlaceOrder(context.Background(), alpacaclient.OrderRequest{ClientOrderID: "seed-" + string(s), Symbol: s,
				Side: alpacaclient.Buy, Type: alpacaclient.Market, TimeInForce: alpacaclient.Day, Qty: &q}); err != nil {
				t.Fatalf("seed %s: %v", s, err)
			}
		}
		a := alpacabroker.New(c)
		return porttest.Ports{Broker: a, Market: a}
	})
}

func TestAssetsListsManySymbols(t *testing.T) {
	_, c := simClient(t)
	a := alpacabroker.New(c)
	// More than ListThreshold symbols: most come from the asset list, the rest one by one.
	var syms []market.Symbol
	for i := range alpacabroker.ListThreshold + 5 {
		syms = append(syms, market.Symbol(fmt.Sprintf("ZZ%02d", i)))
	}
	syms = append(syms, "SPY", "QQQ")
	got, err := a.Assets(context.Background(), syms)
	if err != nil {
		t.Fatalf("Assets: %v", err)
	}
	for _, s := range syms {
		if _, ok := got[s]; !ok {
			t.Errorf("%s missing", s)
		}
	}
}

func TestRefusedKeysArePermanent(t *testing.T) {
	url, _ := simClient(t)
	c, err := alpacaclient.New(alpacaclient.Config{TradingURL: url, DataURL: url, KeyID: "wrong", SecretKey: "wrong", Feed: "iex"},
		alpacaclient.Options{Limiter: rate.NewLimiter(rate.Inf, 0), ReadAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = alpacabroker.New(c).Account(context.Background())
	if !errors.Is(err, app.ErrPermanent) || !errors.Is(err, alpacaclient.ErrUnauthorized) {
		t.Fatalf("err = %v, want permanent and unauthorized", err)
	}
}
