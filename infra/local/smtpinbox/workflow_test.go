package smtpinbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"

	"github.com/alchemiser/alchemiser/infra/local/smtpinbox"
	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/services/orchestrator/service"
	"github.com/alchemiser/alchemiser/services/orchestrator/store"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestWorkflowsEndInOneEmailEach drives the orchestrator with the step events a real run
// produces and hands its notification events to the notifier, which mails the inbox through
// STARTTLS. Every command and event is delivered three times. Four runs: one that trades, one
// with nothing to trade, one whose strategy fails, and one whose strategy never answers and is
// ended by the sweep. Each ends in exactly one email with the right subject.
func TestWorkflowsEndInOneEmailEach(t *testing.T) {
	srv, cert := startInbox(t)
	logs := &syncBuffer{}
	mail := notifier(t, srv, cert, inboxPassword, logs)
	bus := eventbus.NewRecorder()
	clock := &testClock{t: t0}
	cfg, err := service.ConfigFromEnv(func(k string) string {
		return map[string]string{"STAGE": "local", "EVENT_BUS_NAME": "alchemiser-local"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	orch, err := service.NewWithDeps(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, nil)), service.Deps{
		Now: clock.Now, Publisher: bus, Store: store.NewMemory(), Metrics: emf.New(&bytes.Buffer{}, "t"),
	})
	if err != nil {
		t.Fatal(err)
	}
	o := lambda.NewHandler(orch)
	deliver := func(h lambda.Handler, payload []byte) {
		t.Helper()
		for range 3 {
			if _, err := h.Invoke(context.Background(), payload); err != nil {
				t.Fatalf("deliver %s: %v", payload[:min(len(payload), 80)], err)
			}
		}
	}
	start := func(minute int) string {
		cmd := fmt.Sprintf(`{"mode":"trade","scheduled_for":"2026-11-30T14:%02d:00Z","trigger":"schedule"}`, minute)
		deliver(o, []byte(cmd))
		out, err := o.Invoke(context.Background(), []byte(cmd))
		if err != nil {
			t.Fatal(err)
		}
		var res struct {
			CorrelationID string `json:"correlation_id"`
		}
		_ = json.Unmarshal(out, &res)
		return res.CorrelationID
	}
	step := func(e v1.Event) { t.Helper(); clock.Add(time.Second); deliver(o, wrapped(t, e)) }

	ok := start(30)
	step(signalFor(ok))
	step(planFor(ok, true))
	step(tradeFor(ok, 1))

	none := start(31)
	step(signalFor(none))
	step(planFor(none, false))
	step(tradeFor(none, 0))

	bad := start(32)
	step(&v1.StepFailed{Metadata: md2(v1.TypeStepFailed, bad, "fail"), Step: v1.StepStrategy, Code: "strategy_invalid", Reason: "parse core.clj: line 3: unexpected )"})

	stuck := start(33)
	clock.Add(6 * time.Minute)
	deliver(o, []byte(`{"sweep":true}`))

	// The bus hands each notification event to the notifier, three times.
	for _, e := range bus.Events() {
		switch e.DetailType() {
		case v1.TypeTradingNotificationRequested, v1.TypeErrorNotificationRequested:
			deliver(mail, wrapped(t, e))
		}
	}
	msgs, err := smtpinbox.List(srv.Dir())
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, m := range msgs {
		subjects = append(subjects, m.Subject)
	}
	sort.Strings(subjects)
	want := []string{
		"[FAILURE][strategy_invalid] Alchemiser - PAPER Trading Report",
		"[FAILURE][timeout] Alchemiser - PAPER Trading Report",
		"[SUCCESS] Alchemiser - PAPER Trading Report",
		"[SUCCESS] Alchemiser - PAPER Trading Report",
	}
	if strings.Join(subjects, "\n") != strings.Join(want, "\n") {
		t.Fatalf("subjects:\n%s\nwant:\n%s", strings.Join(subjects, "\n"), strings.Join(want, "\n"))
	}
	texts := map[string]string{}
	for _, m := range msgs {
		_, raw, _ := smtpinbox.Get(srv.Dir(), m.ID)
		p, err := smtpinbox.ParseParts(raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{ok, none, bad, stuck} {
			if strings.Contains(p.Text, id) {
				texts[id] = p.Text
			}
		}
	}
	checks := map[string][]string{
		ok:    {"1 orders placed, 1 filled", "SPY", "ORDERS (1 orders, 1 filled)"},
		none:  {"0 orders", "ORDERS (0 orders, 0 filled)"},
		bad:   {"parse core.clj: line 3", "ERROR REPORT", "failed at step strategy"},
		stuck: {"timed out waiting for SignalGenerated", "dead-letter queue"},
	}
	for id, wants := range checks {
		for _, w := range wants {
			if !strings.Contains(texts[id], w) {
				t.Errorf("email of %s lacks %q:\n%s", id, w, texts[id])
			}
		}
	}
}

func md2(t v1.DetailType, cid, suffix string) v1.Metadata {
	m := md(t, cid)
	m.EventID = v1.DeriveID(cid, suffix, string(t))
	m.Producer = "test"
	return m
}

func signalFor(cid string) v1.Event {
	all := []v1.TargetWeight{{Symbol: "SPY", Weight: v1.MustDecimal("1")}}
	return &v1.SignalGenerated{Metadata: md2(v1.TypeSignalGenerated, cid, "sig"), AsOf: "2026-11-27", Target: all, FailurePolicy: "fail",
		Strategies: []v1.StrategySignal{{Name: "core", File: "core.clj", Weight: v1.MustDecimal("1"), Status: v1.StrategyOK, Allocation: all,
			Trace: []string{"rsi(SPY,10)=55.2 < 79 -> else"}}}}
}

func planFor(cid string, trades bool) v1.Event {
	p := &v1.RebalancePlanned{Metadata: md2(v1.TypeRebalancePlanned, cid, "plan"), PlanID: "plan-" + cid,
		Equity: v1.MustDecimal("100000"), Cash: v1.MustDecimal("0"), CashReserve: v1.MustDecimal("0.01")}
	q := v1.MustDecimal("10")
	it := v1.PlanItem{Symbol: "SPY", Action: v1.ActionHold, CurrentQty: v1.MustDecimal("166"), CurrentWeight: v1.MustDecimal("0.99"),
		TargetWeight: v1.MustDecimal("1"), CurrentValue: v1.MustDecimal("98627"), TargetValue: v1.MustDecimal("99000"), Price: v1.MustDecimal("594.14")}
	if trades {
		it.Action, it.Qty = v1.ActionBuy, &q
	}
	p.Items = []v1.PlanItem{it}
	return p
}

func tradeFor(cid string, orders int) v1.Event {
	e := &v1.TradeExecuted{Metadata: md2(v1.TypeTradeExecuted, cid, "trade"), PlanID: "plan-" + cid, Outcome: v1.OutcomeSuccess, StartedAt: t0, FinishedAt: t0}
	for i := 0; i < orders; i++ {
		q, p := v1.MustDecimal("10"), v1.MustDecimal("594.2")
		e.Orders = append(e.Orders, v1.OrderResult{ClientOrderID: fmt.Sprintf("o%d", i), BrokerOrderID: "b", Symbol: "SPY", Side: v1.SideBuy,
			RequestedQty: &q, FilledQty: q, AvgPrice: &p, Status: "filled"})
	}
	return e
}
