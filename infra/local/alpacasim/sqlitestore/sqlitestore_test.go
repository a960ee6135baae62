package sqlitestore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/infra/local/alpacasim"
	"github.com/alchemiser/alchemiser/infra/local/alpacasim/sqlitestore"
	"github.com/alchemiser/alchemiser/pkg/nyse"
)

var thursday = time.Date(2024, 3, 28, 10, 0, 0, 0, nyse.NewYork)

func open(t *testing.T, dir string) *sqlitestore.Store {
	t.Helper()
	st, err := sqlitestore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func marketBuy(sym, qty, cid string) alpaca.PlaceOrderRequest {
	q := decimal.RequireFromString(qty)
	return alpaca.PlaceOrderRequest{Symbol: sym, Qty: &q, Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: cid}
}

func wantAPIError(t *testing.T, err error, status, code int) {
	t.Helper()
	var ae *alpaca.APIError
	if !errors.As(err, &ae) || ae.StatusCode != status || ae.Code != code {
		t.Fatalf("err = %v, want HTTP %d code %d", err, status, code)
	}
}

func TestContractStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	srv, err := alpacasim.New(alpacasim.Config{Seed: 1, AsOf: thursday, Store: open(t, dir)})
	if err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := alpaca.NewClient(alpaca.ClientOpts{BaseURL: url, APIKey: alpacasim.DefaultKeyID, APISecret: alpacasim.DefaultSecretKey})
	if _, err := c.PlaceOrder(marketBuy("QQQ", "7", "persisted")); err != nil {
		t.Fatal(err)
	}
	before, _ := c.GetAccount()
	srv.Close()

	srv2, err := alpacasim.New(alpacasim.Config{Seed: 1, AsOf: thursday, Store: open(t, dir)})
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.Close()
	url2, _ := srv2.Start("127.0.0.1:0")
	c2 := alpaca.NewClient(alpaca.ClientOpts{BaseURL: url2, APIKey: alpacasim.DefaultKeyID, APISecret: alpacasim.DefaultSecretKey})
	after, err := c2.GetAccount()
	if err != nil {
		t.Fatal(err)
	}
	if !after.Cash.Equal(before.Cash) {
		t.Fatalf("cash after restart %s, before %s", after.Cash, before.Cash)
	}
	p, err := c2.GetPosition("QQQ")
	if err != nil || !p.Qty.Equal(decimal.NewFromInt(7)) {
		t.Fatalf("position after restart = %v, %v", p, err)
	}
	_, err = c2.PlaceOrder(marketBuy("QQQ", "1", "persisted"))
	wantAPIError(t, err, 422, 40010001)
	o, err := c2.PlaceOrder(marketBuy("QQQ", "1", "fresh"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(srv2.Orders()); n != 2 || o.ID == srv2.Orders()[0].ID {
		t.Fatalf("orders after restart = %d", n)
	}
}
