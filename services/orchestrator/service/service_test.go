package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"

	"github.com/alchemiser/alchemiser/pkg/dynamotest"
	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/sqlitedb"
	"github.com/alchemiser/alchemiser/services/orchestrator/service"
	"github.com/alchemiser/alchemiser/services/orchestrator/store"
)

var t0 = time.Date(2026, 11, 30, 14, 50, 0, 0, time.UTC)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type rig struct {
	fn    *service.Function
	bus   *eventbus.Recorder
	store store.Store
	clock *clock
	logs  *bytes.Buffer
}

func newRig(t testing.TB, st store.Store) *rig {
	t.Helper()
	cfg, err := service.ConfigFromEnv(func(k string) string {
		return map[string]string{"STAGE": "local", "EVENT_BUS_NAME": "alchemiser-local"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if st == nil {
		st = store.NewMemory()
	}
	r := &rig{bus: eventbus.NewRecorder(), store: st, clock: &clock{t: t0}, logs: &bytes.Buffer{}}
	n := 0
	var mu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: r.logs}, nil))
	r.fn, err = service.NewWithDeps(context.Background(), cfg, logger, service.Deps{
		Now: r.clock.Now, Publisher: r.bus, Store: st,
		NewID:   func() string { mu.Lock(); defer mu.Unlock(); n++; return fmt.Sprintf("manual-%d", n) },
		Metrics: emf.New(&lockedWriter{w: &bytes.Buffer{}}, "test"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// invoke sends payload through the aws-lambda-go handler, as the Lambda runtime does.
func (r *rig) invoke(t testing.TB, payload []byte) ([]byte, error) {
	t.Helper()
	return lambda.NewHandler(r.fn).Invoke(context.Background(), payload)
}

func (r *rig) start(t testing.TB, cmd string) string {
	t.Helper()
	out, err := r.invoke(t, []byte(cmd))
	if err != nil {
		t.Fatalf("start %s: %v", cmd, err)
	}
	var res struct {
		CorrelationID string `json:"correlation_id"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("start result %s: %v", out, err)
	}
	return res.CorrelationID
}

func (r *rig) count(t v1.DetailType) int {
	n := 0
	for _, e := range r.bus.Events() {
		if e.DetailType() == t {
			n++
		}
	}
	return n
}

func (r *rig) last(t v1.DetailType) v1.Event {
	var out v1.Event
	for _, e := range r.bus.Events() {
		if e.DetailType() == t {
			out = e
		}
	}
	return out
}

func md(t v1.DetailType, cid, id string) v1.Metadata {
	return v1.Metadata{EventType: t, EventID: id, CorrelationID: cid, CausationID: "c", SchemaVersion: v1.SchemaVersion,
		OccurredAt: t0, Producer: "test", Stage: "local", TradingMode: v1.ModePaper}
}

func dec(s string) *v1.Decimal { d := v1.MustDecimal(s); return &d }

func signal(cid string) v1.Event {
	return &v1.SignalGenerated{Metadata: md(v1.TypeSignalGenerated, cid, cid+"-sig"), AsOf: "2026-11-27",
		Target:        []v1.TargetWeight{{Symbol: "SPY", Weight: v1.MustDecimal("0.6")}, {Symbol: "TLT", Weight: v1.MustDecimal("0.4")}},
		FailurePolicy: "fail",
		Strategies: []v1.StrategySignal{{Name: "core", File: "core.clj", Weight: v1.MustDecimal("1"), Status: v1.StrategyOK,
			Allocation: []v1.TargetWeight{{Symbol: "SPY", Weight: v1.MustDecimal("0.6")}, {Symbol: "TLT", Weight: v1.MustDecimal("0.4")}},
			Trace:      []string{"rsi(SPY,10)=55.2 < 79 -> else"}}}}
}

func plan(cid string, trades bool) v1.Event {
	p := &v1.RebalancePlanned{Metadata: md(v1.TypeRebalancePlanned, cid, cid+"-plan"), PlanID: "plan-" + cid,
		Equity: v1.MustDecimal("10000"), Cash: v1.MustDecimal("10000"), CashReserve: v1.MustDecimal("0.01")}
	if trades {
		p.Items = []v1.PlanItem{{Symbol: "SPY", Action: v1.ActionBuy, CurrentQty: v1.MustDecimal("0"), CurrentWeight: v1.MustDecimal("0"),
			TargetWeight: v1.MustDecimal("0.6"), CurrentValue: v1.MustDecimal("0"), TargetValue: v1.MustDecimal("5940"),
			Price: v1.MustDecimal("594"), Qty: dec("10")}}
	}
	return p
}

func trade(cid string, outcome v1.Outcome, orders int) v1.Event {
	e := &v1.TradeExecuted{Metadata: md(v1.TypeTradeExecuted, cid, cid+"-trade"), PlanID: "plan-" + cid, Outcome: outcome,
		StartedAt: t0, FinishedAt: t0.Add(time.Second)}
	for i := 0; i < orders; i++ {
		e.Orders = append(e.Orders, v1.OrderResult{ClientOrderID: fmt.Sprintf("o%d", i), BrokerOrderID: "b", Symbol: "SPY",
			Side: v1.SideBuy, RequestedQty: dec("10"), FilledQty: v1.MustDecimal("10"), AvgPrice: dec("594.12"), Status: "filled"})
	}
	return e
}

func failed(cid string, step v1.Step) v1.Event {
	return &v1.StepFailed{Metadata: md(v1.TypeStepFailed, cid, cid+"-fail-"+string(step)), Step: step, Code: "strategy_invalid", Reason: "bad file"}
}

func wrap(t testing.TB, e v1.Event) []byte {
	t.Helper()
	b, err := v1.Wrap(e, "env-"+e.Meta().EventID, "000000000000", "us-east-1", t0)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const schedStart = `{"mode":"trade","scheduled_for":"2026-11-30T14:50:00Z","trigger":"schedule"}`

func TestStartCommand(t *testing.T) {
	r := newRig(t, nil)
	id1 := r.start(t, schedStart)
	id2 := r.start(t, schedStart)
	if id1 != id2 || id1 != v1.DeriveID("workflow", "2026-11-30T14:50:00Z", "trade") {
		t.Fatalf("ids %s, %s", id1, id2)
	}
	if n := r.count(v1.TypeWorkflowStarted); n != 1 {
		t.Fatalf("%d WorkflowStarted after two starts for one scheduled time, want 1", n)
	}
	dry := r.start(t, `{"mode":"dry-run","scheduled_for":"2026-11-30T14:50:00Z"}`)
	if dry == id1 {
		t.Error("a dry run shares the trading run's ID")
	}
	m1 := r.start(t, `{"mode":"trade"}`)
	m2 := r.start(t, `{"mode":"trade","trigger":"cli","as_of":"2026-11-27"}`)
	if m1 != "manual-1" || m2 != "manual-2" {
		t.Errorf("manual ids %s, %s", m1, m2)
	}
	ws := r.last(v1.TypeWorkflowStarted).(*v1.WorkflowStarted)
	if ws.Trigger != v1.TriggerCLI || ws.AsOf != "2026-11-27" || ws.DryRun || ws.EventID != v1.DeriveEventID(m2, v1.TypeWorkflowStarted) {
		t.Errorf("WorkflowStarted %+v", ws)
	}
	rec, err := r.store.Get(context.Background(), id1)
	if err != nil || rec.State != store.StateStarted || !rec.StartPublished {
		t.Errorf("record %+v, %v", rec, err)
	}
}

func TestStartCommandRejected(t *testing.T) {
	cases := map[string]string{
		`{"mode":"yolo"}`:                       `mode "yolo"`,
		`{"mode":"trade","dryrun":true}`:        `unknown field "dryrun"`,
		`{"mode":"trade","trigger":"schedule"}`: "scheduled_for: required",
		`{"mode":"trade","as_of":"27/11/2026"}`: `as_of "27/11/2026"`,
		`{"mode":"trade","trigger":"cron"}`:     `trigger "cron"`,
		`{"sweep":false}`:                       "sweep",
	}
	r := newRig(t, nil)
	for in, want := range cases {
		_, err := r.invoke(t, []byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want it to mention %q", in, err, want)
		}
	}
	if n := len(r.bus.Events()); n != 0 {
		t.Errorf("%d events published for bad commands", n)
	}
}

// TestTransitions feeds each case's events, in its order and with its duplicates, and checks
// the final state and that exactly one terminal outcome and one notification were published.
func TestTransitions(t *testing.T) {
	type ev func(cid string) v1.Event
	sig, pl, none := signal, func(c string) v1.Event { return plan(c, true) }, func(c string) v1.Event { return plan(c, false) }
	ok := func(c string) v1.Event { return trade(c, v1.OutcomeSuccess, 1) }
	zero := func(c string) v1.Event { return trade(c, v1.OutcomeSuccess, 0) }
	skip := func(c string) v1.Event {
		e := trade(c, v1.OutcomeSkipped, 0).(*v1.TradeExecuted)
		e.Reason = "market closed"
		return e
	}
	fail := func(c string) v1.Event { return failed(c, v1.StepStrategy) }
	cases := []struct {
		name   string
		start  string
		events []ev
		state  string
		status v1.NotificationStatus
	}{
		{"in order", schedStart, []ev{sig, pl, ok}, store.StateCompleted, v1.StatusSuccess},
		{"trade before plan", schedStart, []ev{sig, ok, pl}, store.StateCompleted, v1.StatusSuccess},
		{"reverse order", schedStart, []ev{ok, pl, sig}, store.StateCompleted, v1.StatusSuccess},
		{"every event three times", schedStart, []ev{sig, sig, pl, sig, pl, ok, ok, pl, ok}, store.StateCompleted, v1.StatusSuccess},
		{"no trades", schedStart, []ev{sig, none, zero}, store.StateCompleted, v1.StatusNoTrades},
		{"skipped", schedStart, []ev{sig, none, skip}, store.StateCompleted, v1.StatusSkipped},
		{"dry run", `{"mode":"dry-run"}`, []ev{sig, pl, ok}, store.StateCompleted, v1.StatusDryRun},
		{"step failed", schedStart, []ev{fail}, store.StateFailed, v1.StatusFailure},
		{"failure is final", schedStart, []ev{fail, sig, pl, ok, fail}, store.StateFailed, v1.StatusFailure},
		{"completion is final", schedStart, []ev{sig, pl, ok, fail, fail}, store.StateCompleted, v1.StatusSuccess},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, nil)
			cid := r.start(t, c.start)
			for _, e := range c.events {
				r.clock.Add(time.Second)
				if _, err := r.invoke(t, wrap(t, e(cid))); err != nil {
					t.Fatal(err)
				}
			}
			rec, err := r.store.Get(context.Background(), cid)
			if err != nil {
				t.Fatal(err)
			}
			if rec.State != c.state {
				t.Errorf("state %s, want %s", rec.State, c.state)
			}
			terminal := r.count(v1.TypeWorkflowCompleted) + r.count(v1.TypeWorkflowFailed)
			if terminal != 1 || r.count(v1.TypeTradingNotificationRequested) != 1 {
				t.Fatalf("%d terminal events and %d notifications, want 1 and 1", terminal, r.count(v1.TypeTradingNotificationRequested))
			}
			n := r.last(v1.TypeTradingNotificationRequested).(*v1.TradingNotificationRequested)
			if n.Status != c.status {
				t.Errorf("status %s, want %s (summary %q)", n.Status, c.status, n.Summary)
			}
			if n.EventID != v1.DeriveEventID(cid, v1.TypeTradingNotificationRequested) || n.CorrelationID != cid {
				t.Errorf("notification IDs %s/%s", n.EventID, n.CorrelationID)
			}
			wantErr := 0
			if c.state == store.StateFailed {
				wantErr = 1
			}
			if got := r.count(v1.TypeErrorNotificationRequested); got != wantErr {
				t.Errorf("%d error notifications, want %d", got, wantErr)
			}
			if c.status == v1.StatusSuccess && (len(n.Orders) != 1 || len(n.Strategies) != 1 || len(n.Plan) != 1 || len(n.Timeline) != 5) {
				t.Errorf("notification content: %d orders, %d strategies, %d plan items, %d timeline entries", len(n.Orders), len(n.Strategies), len(n.Plan), len(n.Timeline))
			}
		})
	}
}

// TestConcurrentDuplicates delivers the same events from many goroutines at once, in random
// orders, and checks that exactly one terminal event and one notification result.
func TestConcurrentDuplicates(t *testing.T) {
	stores := map[string]func(t *testing.T) store.Store{
		"memory": func(*testing.T) store.Store { return store.NewMemory() },
		"sqlite": func(t *testing.T) store.Store {
			db, err := sqlitedb.Open(filepath.Join(t.TempDir(), "wf.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			s, err := store.NewSQLite(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		"dynamodb": func(t *testing.T) store.Store {
			client := dynamotest.Start(t)
			dynamotest.CreateTable(t, client, "workflows")
			return store.NewDynamoDB(client, "workflows")
		},
	}
	for name, mk := range stores {
		t.Run(name, func(t *testing.T) {
			r := newRig(t, mk(t))
			cid := r.start(t, schedStart)
			payloads := [][]byte{wrap(t, signal(cid)), wrap(t, plan(cid, true)), wrap(t, trade(cid, v1.OutcomeSuccess, 1))}
			const n = 12
			var wg sync.WaitGroup
			for g := 0; g < n; g++ {
				wg.Add(1)
				go func(g int) {
					defer wg.Done()
					rnd := rand.New(rand.NewPCG(uint64(g), 7))
					order := rnd.Perm(len(payloads))
					for _, i := range order {
						if _, err := r.invoke(t, payloads[i]); err != nil {
							t.Error(err)
						}
					}
				}(g)
			}
			wg.Wait()
			if c, f, tn := r.count(v1.TypeWorkflowCompleted), r.count(v1.TypeWorkflowFailed), r.count(v1.TypeTradingNotificationRequested); c != 1 || f != 0 || tn != 1 {
				t.Fatalf("completed %d, failed %d, notifications %d; want 1, 0, 1", c, f, tn)
			}
		})
	}
}

func TestSweepTimesOutAStuckWorkflow(t *testing.T) {
	r := newRig(t, nil)
	cid := r.start(t, schedStart)
	sweep := func() {
		t.Helper()
		if _, err := r.invoke(t, []byte(`{"sweep":true}`)); err != nil {
			t.Fatal(err)
		}
	}
	r.clock.Add(4 * time.Minute)
	sweep()
	if n := r.count(v1.TypeWorkflowFailed); n != 0 {
		t.Fatalf("failed before the deadline")
	}
	r.clock.Add(2 * time.Minute) // 6m > the strategy's 5m
	sweep()
	sweep()
	if r.count(v1.TypeWorkflowFailed) != 1 || r.count(v1.TypeTradingNotificationRequested) != 1 || r.count(v1.TypeErrorNotificationRequested) != 1 {
		t.Fatalf("events after the sweeps: %v", types(r.bus.Events()))
	}
	wf := r.last(v1.TypeWorkflowFailed).(*v1.WorkflowFailed)
	if wf.Step != v1.StepStrategy || wf.Code != "timeout" || !strings.HasPrefix(wf.Reason, "timed out waiting for SignalGenerated") {
		t.Errorf("WorkflowFailed %+v", wf)
	}
	n := r.last(v1.TypeTradingNotificationRequested).(*v1.TradingNotificationRequested)
	if n.Status != v1.StatusFailure || n.Failure == nil || n.Failure.Code != "timeout" {
		t.Errorf("notification %+v", n)
	}
	en := r.last(v1.TypeErrorNotificationRequested).(*v1.ErrorNotificationRequested)
	if en.Severity != v1.SeverityError || !strings.Contains(en.Report, "timed out waiting for SignalGenerated") {
		t.Errorf("error notification %+v", en)
	}
	// A late signal changes nothing.
	if _, err := r.invoke(t, wrap(t, signal(cid))); err != nil {
		t.Fatal(err)
	}
	if rec, _ := r.store.Get(context.Background(), cid); rec.State != store.StateFailed {
		t.Errorf("state %s after a late signal", rec.State)
	}
	if len(r.bus.Events()) != 4 {
		t.Errorf("events %v", types(r.bus.Events()))
	}
}

func TestSweepWaitsPerStep(t *testing.T) {
	r := newRig(t, nil)
	cid := r.start(t, schedStart)
	r.clock.Add(4 * time.Minute)
	if _, err := r.invoke(t, wrap(t, signal(cid))); err != nil {
		t.Fatal(err)
	}
	r.clock.Add(3 * time.Minute) // 3m since the signal: past the portfolio's 2m
	if _, err := r.invoke(t, []byte(`{"sweep":true}`)); err != nil {
		t.Fatal(err)
	}
	wf, _ := r.last(v1.TypeWorkflowFailed).(*v1.WorkflowFailed)
	if wf == nil || wf.Step != v1.StepPortfolio || !strings.HasPrefix(wf.Reason, "timed out waiting for RebalancePlanned") {
		t.Fatalf("WorkflowFailed %+v", wf)
	}
}

// TestRepublishAfterPublishFailure: the bus refuses the terminal events; the sweep publishes
// them again later with the same IDs, and only once.
func TestRepublishAfterPublishFailure(t *testing.T) {
	r := newRig(t, nil)
	cid := r.start(t, schedStart)
	for _, e := range []v1.Event{signal(cid), plan(cid, true)} {
		if _, err := r.invoke(t, wrap(t, e)); err != nil {
			t.Fatal(err)
		}
	}
	r.bus.Err = fmt.Errorf("bus down")
	if _, err := r.invoke(t, wrap(t, trade(cid, v1.OutcomeSuccess, 1))); err == nil {
		t.Fatal("no error when the bus refused the terminal events")
	}
	r.bus.Err = nil
	// The retried delivery is a duplicate: it must not publish while the first may still be.
	if _, err := r.invoke(t, wrap(t, trade(cid, v1.OutcomeSuccess, 1))); err != nil {
		t.Fatal(err)
	}
	if n := r.count(v1.TypeWorkflowCompleted); n != 0 {
		t.Fatalf("%d completions before the sweep", n)
	}
	r.clock.Add(3 * time.Minute)
	for range 2 {
		if _, err := r.invoke(t, []byte(`{"sweep":true}`)); err != nil {
			t.Fatal(err)
		}
	}
	if r.count(v1.TypeWorkflowCompleted) != 1 || r.count(v1.TypeTradingNotificationRequested) != 1 {
		t.Fatalf("events %v", types(r.bus.Events()))
	}
	if got := r.last(v1.TypeWorkflowCompleted).Meta().EventID; got != v1.DeriveEventID(cid, v1.TypeWorkflowCompleted) {
		t.Errorf("event ID %s is not derived from the correlation ID", got)
	}
}

func TestUnknownWorkflowIsAdoptedAndEnds(t *testing.T) {
	r := newRig(t, nil)
	if _, err := r.invoke(t, wrap(t, signal("elsewhere"))); err != nil {
		t.Fatal(err)
	}
	r.clock.Add(3 * time.Minute)
	if _, err := r.invoke(t, []byte(`{"sweep":true}`)); err != nil {
		t.Fatal(err)
	}
	if r.count(v1.TypeWorkflowFailed) != 1 || r.count(v1.TypeWorkflowStarted) != 0 {
		t.Fatalf("events %v", types(r.bus.Events()))
	}
}

func TestRejectsUndecodableEvent(t *testing.T) {
	r := newRig(t, nil)
	if _, err := r.invoke(t, []byte(`{"event_type":"SignalGenerated","schema_version":"1.0.0"}`)); err == nil {
		t.Fatal("accepted an invalid event")
	}
}

// TestNoSecretInLogs runs a whole workflow at debug level with the Alpaca secret in the
// function's environment (as the local runtime passes it) and scans the logs for it.
func TestNoSecretInLogs(t *testing.T) {
	const secret = "alpaca-SECRET-key-0123456789"
	env := map[string]string{"STAGE": "local", "EVENT_BUS_NAME": "b", "LOG_LEVEL": "debug", "ALPACA_SECRET_KEY": secret, "ALPACA_KEY_ID": "PK1"}
	cfg, err := service.ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, nil)
	logger := slog.New(slog.NewJSONHandler(&lockedWriter{w: r.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	logger.Info("starting orchestrator", "config", cfg.String())
	r.fn, err = service.NewWithDeps(context.Background(), cfg, logger, service.Deps{Now: r.clock.Now, Publisher: r.bus, Store: r.store,
		Metrics: emf.New(&lockedWriter{w: r.logs}, "test")})
	if err != nil {
		t.Fatal(err)
	}
	cid := r.start(t, schedStart)
	for _, e := range []v1.Event{signal(cid), failed(cid, v1.StepPortfolio)} {
		if _, err := r.invoke(t, wrap(t, e)); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = r.invoke(t, []byte(`{"mode":"nope"}`))
	if !strings.Contains(r.logs.String(), "workflow ended") {
		t.Fatalf("logs do not show the run:\n%s", r.logs.String())
	}
	if strings.Contains(r.logs.String(), secret) {
		t.Fatalf("the Alpaca secret is in the logs")
	}
}

func types(es []v1.Event) []v1.DetailType {
	var out []v1.DetailType
	for _, e := range es {
		out = append(out, e.DetailType())
	}
	return out
}

func BenchmarkTransition(b *testing.B) {
	r := newRig(b, nil)
	ctx := context.Background()
	_ = ctx
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		cid := r.start(b, fmt.Sprintf(`{"mode":"trade","scheduled_for":"%s"}`, t0.Add(time.Duration(i)*time.Minute).Format(time.RFC3339)))
		for _, e := range []v1.Event{signal(cid), plan(cid, true), trade(cid, v1.OutcomeSuccess, 1)} {
			if _, err := r.invoke(b, wrap(b, e)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// FuzzInvoke feeds arbitrary payloads to the function: commands and events must be refused
// with an error, never a panic.
func FuzzInvoke(f *testing.F) {
	f.Add([]byte(schedStart))
	f.Add([]byte(`{"sweep":true}`))
	f.Add([]byte(`{"mode":"dry-run","as_of":"2026-02-30"}`))
	f.Add([]byte(`{"event_type":"StepFailed"}`))
	r := newRig(f, nil)
	f.Fuzz(func(t *testing.T, payload []byte) {
		_, _ = r.fn.Invoke(context.Background(), payload)
	})
}

// BenchmarkDuplicateEvent measures the commonest redelivery: an event already recorded.
func BenchmarkDuplicateEvent(b *testing.B) {
	r := newRig(b, nil)
	cid := r.start(b, schedStart)
	p := wrap(b, signal(cid))
	if _, err := r.invoke(b, p); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.invoke(b, p); err != nil {
			b.Fatal(err)
		}
	}
}
