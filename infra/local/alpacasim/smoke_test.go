package alpacasim_test

import (
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/alpacahq/alpaca-trade-api-go/v3/marketdata"
	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/infra/local/alpacasim"
	"github.com/alchemiser/alchemiser/pkg/nyse"
)

func TestSmoke(t *testing.T) {
	srv, err := alpacasim.New(alpacasim.Config{Seed: 1, AsOf: time.Date(2024, 3, 28, 10, 0, 0, 0, nyse.NewYork)})
	if err != nil {
		t.Fatal(err)
	}
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	tc := alpaca.NewClient(alpaca.ClientOpts{BaseURL: url, APIKey: alpacasim.DefaultKeyID, APISecret: alpacasim.DefaultSecretKey})
	md := marketdata.NewClient(marketdata.ClientOpts{BaseURL: url, APIKey: alpacasim.DefaultKeyID, APISecret: alpacasim.DefaultSecretKey})
	acct, err := tc.GetAccount()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("account %+v", acct.Cash)
	q := decimal.NewFromInt(10)
	o, err := tc.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "QQQ", Qty: &q, Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("order %s %s %v", o.Status, o.FilledQty, o.FilledAvgPrice)
	pos, err := tc.GetPositions()
	t.Logf("pos %+v %v", pos, err)
	clk, err := tc.GetClock()
	t.Logf("clock %+v %v", clk, err)
	cal, err := tc.GetCalendar(alpaca.GetCalendarRequest{Start: time.Date(2024, 3, 25, 0, 0, 0, 0, time.UTC), End: time.Date(2024, 4, 2, 0, 0, 0, 0, time.UTC)})
	t.Logf("cal %+v %v", cal, err)
	bars, err := md.GetMultiBars([]string{"QQQ", "TQQQ"}, marketdata.GetBarsRequest{Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), PageLimit: 7})
	t.Logf("bars %d %d %v", len(bars["QQQ"]), len(bars["TQQQ"]), err)
	t.Logf("last %+v", bars["QQQ"][len(bars["QQQ"])-1])
	qs, err := md.GetLatestQuotes([]string{"QQQ", "ZZZ"}, marketdata.GetLatestQuoteRequest{})
	t.Logf("quotes %+v %v", qs, err)
	snaps, err := md.GetSnapshots([]string{"QQQ"}, marketdata.GetSnapshotRequest{})
	t.Logf("snap %+v %v", snaps["QQQ"].DailyBar, err)
	acct, _ = tc.GetAccount()
	t.Logf("account cash %s equity %s bp %s", acct.Cash, acct.Equity, acct.BuyingPower)
}
