package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/market"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/adapters/memory"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/app"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/domain"
	"github.com/alchemiser/alchemiser/services/portfolio/service"
	"github.com/shopspring/decimal"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var clock = time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)

func testConfig(t *testing.T, extra map[string]string) service.Config {
	t.Helper()
	env := map[string]string{
		"STAGE": "local", "EVENT_BUS_NAME": "alchemiser-local", "IDEMPOTENCY_STORE": "memory",
		"ALPACA_KEY_ID": "local-key", "ALPACA_SECRET_KEY": "local-secret",
		"ALPACA_TRADING_URL": "http://127.0.0.1:1", "ALPACA_DATA_URL": "http://127.0.0.1:1",
	}
	for k, v := range extra {
		env[k] = v
	}
	cfg, err := service.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("ConfigFromEnv: %v", err)
	}
	return cfg
}

// signal is the SignalGenerated every handler test starts from.
func signal() *v1.SignalGenerated {
	return &v1.SignalGenerated{
		Metadata: v1.Metadata{
			EventType: v1.TypeSignalGenerated, EventID: "6f1c3a52-8a1e-5d3b-9c0e-2b7d4e5f6a70",
			CorrelationID: "c0ffee00-0000-5000-8000-000000000001", CausationID: "a1b2c3d4-0000-5000-8000-000000000001",
			SchemaVersion: v1.SchemaVersion, OccurredAt: clock.Add(-time.Minute), Producer: "strategy",
			Stage: "local", TradingMode: v1.ModePaper,
		},
		AsOf: "2026-11-27",
		Target: []v1.TargetWeight{
			{Symbol: "SPY", Weight: v1.MustDecimal("0.5")},
			{Symbol: "QQQ", Weight: v1.MustDecimal("0.3")},
			{Symbol: "BRKA", Weight: v1.MustDecimal("0.2")},
		},
		Strategies:    []v1.StrategySignal{},
		FailurePolicy: "fail",
	}
}

// golden returns the envelope of e from testdata/name, writing it first under -update.
func golden(t *testing.T, name string, e v1.Event) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		b, err := v1.Wrap(e, "11111111-2222-3333-4444-555555555555", "123456789012", "us-east-1", clock.Add(-time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := json.Indent(&out, b, "", "  "); err != nil {
			t.Fatal(err)
		}
		out.WriteByte('\n')
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	return b
}

// checkGolden compares got with testdata/name, rewriting it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, got, "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("%s differs from the golden file:\n got: %s\nwant: %s", name, out.Bytes(), want)
	}
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// fakeMarket is the in-memory broker the handler test runs against: an account with SPY and an
// old position, QQQ with a one-sided book, and a whole-share asset dearer than its target.
func fakeMarket() *memory.Market {
	return &memory.Market{
		Acct:     app.Account{Equity: market.NewMoney(d("100000")), Cash: market.NewMoney(d("30000"))},
		Holdings: []domain.Position{{Symbol: "SPY", Qty: d("100")}, {Symbol: "OLD", Qty: d("12.345678")}},
		Known: map[market.Symbol]domain.Asset{
			"SPY": {Tradable: true, Fractionable: true}, "QQQ": {Tradable: true, Fractionable: true},
			"OLD": {Tradable: true, Fractionable: true}, "BRKA": {Tradable: true, Fractionable: false},
		},
		Quotes: map[market.Symbol]domain.Quote{
			"SPY": {Bid: d("599.98"), Ask: d("600.02")}, "QQQ": {Ask: d("500.10")},
			"OLD": {Bid: d("810.1"), Ask: d("810.3")}, "BRKA": {Bid: d("700000"), Ask: d("700100")},
		},
		Trades: map[market.Symbol]decimal.Decimal{"QQQ": d("500")},
	}
}

type harness struct {
	handler lambda.Handler
	bus     *eventbus.Recorder
	market  *memory.Market
	logs    *bytes.Buffer
}

func newHarness(t *testing.T, m *memory.Market) harness {
	t.Helper()
	bus := eventbus.NewRecorder()
	logs := &bytes.Buffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	r, err := service.NewWithDeps(context.Background(), testConfig(t, nil), logger, service.Deps{
		Broker: m, Market: m, Publisher: bus, Store: idempotency.NewMemory(),
		Metrics: emf.New(io.Discard, "test"), Now: func() time.Time { return clock },
	})
	if err != nil {
		t.Fatalf("NewWithDeps: %v", err)
	}
	return harness{handler: lambda.NewHandler(r), bus: bus, market: m, logs: logs}
}

func TestHandlerPlansTheGoldenSignal(t *testing.T) {
	h := newHarness(t, fakeMarket())
	payload := golden(t, "signal_generated.json", signal())
	out, err := h.handler.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatalf("Invoke: %v\nlogs: %s", err, h.logs)
	}
	if string(out) != "null" {
		t.Errorf("Invoke returned %s", out)
	}
	events := h.bus.Events()
	if len(events) != 1 {
		t.Fatalf("published %d events, want 1", len(events))
	}
	plan, ok := events[0].(*v1.RebalancePlanned)
	if !ok {
		t.Fatalf("published %T, want *v1.RebalancePlanned", events[0])
	}
	b, err := v1.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "rebalance_planned.json", b)

	// The plan caused by the signal carries its correlation and a derived event ID.
	if plan.CorrelationID != signal().CorrelationID || plan.CausationID != signal().EventID ||
		plan.EventID != v1.DeriveEventID(signal().EventID, v1.TypeRebalancePlanned) {
		t.Errorf("metadata not derived from the signal: %+v", plan.Metadata)
	}
	// A second delivery of the same event is not planned again.
	if _, err := h.handler.Invoke(context.Background(), payload); err != nil {
		t.Fatalf("second Invoke: %v", err)
	}
	if n := len(h.bus.Events()); n != 1 {
		t.Errorf("a redelivery published again: %d events", n)
	}
}

func TestHandlerPassesDryRunThrough(t *testing.T) {
	h := newHarness(t, fakeMarket())
	sig := signal()
	sig.DryRun = true
	payload, err := v1.Wrap(sig, "e1", "123456789012", "us-east-1", clock)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.handler.Invoke(context.Background(), payload); err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	events := h.bus.Events()
	if len(events) != 1 || !events[0].Meta().DryRun {
		t.Fatalf("want one dry-run plan, got %+v", events)
	}
}

func TestHandlerNoOpPlanIsPublished(t *testing.T) {
	m := &memory.Market{
		Acct:     app.Account{Equity: market.NewMoney(d("1000")), Cash: market.NewMoney(d("10"))},
		Holdings: []domain.Position{{Symbol: "SPY", Qty: d("1.98")}},
		Known:    map[market.Symbol]domain.Asset{"SPY": {Tradable: true, Fractionable: true}},
		Quotes:   map[market.Symbol]domain.Quote{"SPY": {Bid: d("500"), Ask: d("500")}},
	}
	h := newHarness(t, m)
	sig := signal()
	sig.Target = []v1.TargetWeight{{Symbol: "SPY", Weight: v1.MustDecimal("1")}}
	payload, _ := v1.Wrap(sig, "e1", "123456789012", "us-east-1", clock)
	if _, err := h.handler.Invoke(context.Background(), payload); err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	events := h.bus.OfType(v1.TypeRebalancePlanned)
	if len(events) != 1 {
		t.Fatalf("want the no-op plan published, got %v", h.bus.Events())
	}
	p := events[0].(*v1.RebalancePlanned)
	if len(p.Items) != 1 || p.Items[0].Action != v1.ActionHold || p.Items[0].Reason == "" || len(p.Notes) != 0 {
		t.Errorf("want one HOLD with a reason and no notes, got %+v", p)
	}
}

func TestHandlerFailures(t *testing.T) {
	tests := []struct {
		name     string
		mutate   func(*memory.Market, *v1.SignalGenerated)
		retry    bool   // Invoke returns an error so Lambda retries
		stepCode string // else a StepFailed with this code is published
	}{
		{
			name:   "broker unavailable is retried",
			mutate: func(m *memory.Market, _ *v1.SignalGenerated) { m.Err = errors.New("503 service unavailable") },
			retry:  true,
		},
		{
			name: "refused credentials are reported",
			mutate: func(m *memory.Market, _ *v1.SignalGenerated) {
				m.Err = errors.Join(app.ErrPermanent, errors.New("403 forbidden"))
			},
			stepCode: "plan_failed",
		},
		{
			name:     "an account without equity is reported",
			mutate:   func(m *memory.Market, _ *v1.SignalGenerated) { m.Acct.Equity = market.NewMoney(decimal.Zero) },
			stepCode: "plan_failed",
		},
		{
			name: "a malformed symbol is reported",
			mutate: func(_ *memory.Market, s *v1.SignalGenerated) {
				s.Target = []v1.TargetWeight{{Symbol: "SP Y", Weight: v1.MustDecimal("1")}}
			},
			stepCode: "invalid_signal",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, sig := fakeMarket(), signal()
			tt.mutate(m, sig)
			h := newHarness(t, m)
			payload, _ := v1.Wrap(sig, "e1", "123456789012", "us-east-1", clock)
			_, err := h.handler.Invoke(context.Background(), payload)
			if tt.retry {
				if err == nil || len(h.bus.Events()) != 0 {
					t.Fatalf("want an error and nothing published, got %v and %v", err, h.bus.Events())
				}
				return
			}
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			events := h.bus.OfType(v1.TypeStepFailed)
			if len(events) != 1 {
				t.Fatalf("want one StepFailed, got %v", h.bus.Events())
			}
			f := events[0].(*v1.StepFailed)
			if f.Code != tt.stepCode || f.Step != v1.StepPortfolio || f.CorrelationID != sig.CorrelationID {
				t.Errorf("StepFailed = %+v", f)
			}
		})
	}
}

func TestHandlerRejectsABrokenPayload(t *testing.T) {
	h := newHarness(t, fakeMarket())
	_, err := h.handler.Invoke(context.Background(), []byte(`{"version":"0","id":"x","detail-type":"SignalGenerated","source":"alchemiser.strategy","account":"1","time":"2026-11-30T15:00:00Z","region":"us-east-1","resources":[],"detail":{"event_type":"SignalGenerated","schema_version":"1.0.0"}}`))
	if err == nil || !strings.Contains(err.Error(), "required field missing") {
		t.Fatalf("err = %v", err)
	}
}
