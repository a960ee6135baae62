package alpacaclient_test

import (
	"context"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
)

func TestWindowAllowsABurstThenHolds(t *testing.T) {
	now := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	w := alpacaclient.NewWindow(3, time.Minute, func() time.Time { return now })
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if err := w.Wait(ctx); err != nil {
			t.Fatalf("request %d of the burst: %v", i, err)
		}
	}
	// The fourth must wait for the first to leave the window: with a cancelled context it
	// returns at once with the context's error instead of going.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := w.Wait(cctx); err == nil {
		t.Fatal("a fourth request went inside the window")
	}
	now = now.Add(time.Minute)
	if err := w.Wait(ctx); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	// Two of the first three are still inside the window counted from their own times, which
	// are all equal: both free now too, and then the ring is full again.
	if err := w.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Wait(cctx); err == nil {
		t.Fatal("window overfilled")
	}
}

func TestLoadConfigForStageUsesTheFunctionsStage(t *testing.T) {
	live := func(k string) string {
		return map[string]string{"ALPACA_TRADING_URL": "https://api.alpaca.markets", "ALPACA_DATA_URL": "https://data.alpaca.markets",
			"ALPACA_KEY_ID": "k", "ALPACA_SECRET_KEY": "s", "ALPACA_LIVE": "true", "STAGE": "prod"}[k]
	}
	if _, err := alpacaclient.LoadConfigForStage(live, "dev"); err == nil {
		t.Fatal("live trading allowed on dev because STAGE said prod")
	}
	if c, err := alpacaclient.LoadConfigForStage(live, "prod"); err != nil || c.Stage != "prod" {
		t.Fatalf("prod with both opt-ins: %v", err)
	}
}
