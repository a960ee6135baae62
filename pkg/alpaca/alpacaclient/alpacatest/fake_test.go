package alpacatest_test

import (
	"context"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient/alpacatest"
)

func newFake(*testing.T) *alpacatest.Fake {
	f := alpacatest.NewFake("100000", time.Date(2024, 3, 28, 14, 0, 0, 0, time.UTC))
	f.SetQuote("SPY", "519.90", "519.96")
	f.SetQuote("QQQ", "444.00", "444.06")
	return f
}

func TestFakeKeepsTheContract(t *testing.T) {
	alpacatest.RunSuite(t, func(t *testing.T) alpacatest.Broker { return newFake(t) })
}

func TestFakeClosedMarket(t *testing.T) {
	f := newFake(t)
	f.SetOpen(false)
	o, err := f.PlaceOrder(context.Background(), alpacaclient.OrderRequest{ClientOrderID: "c", Symbol: "SPY", Side: alpacaclient.Buy, Type: alpacaclient.Market, TimeInForce: alpacaclient.Day, Qty: qtyOf("2")})
	if err != nil || o.Status != alpacaclient.StatusAccepted {
		t.Fatalf("closed market: %+v, %v", o, err)
	}
	f.SetOpen(true)
	if got, _ := f.GetOrder(context.Background(), o.ID); got.Status != alpacaclient.StatusFilled {
		t.Fatalf("after the open: %s", got.Status)
	}
}
