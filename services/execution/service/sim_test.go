package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/shopspring/decimal"
	"golang.org/x/time/rate"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/infra/local/alpacasim"
	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
	"github.com/alchemiser/alchemiser/pkg/nyse"
	"github.com/alchemiser/alchemiser/services/execution/service"
)

// openAt is a trading day at 10:00 New York time; closedAt is a Saturday.
var (
	openAt   = time.Date(2026, 11, 24, 10, 0, 0, 0, nyse.NewYork)
	closedAt = time.Date(2026, 11, 28, 12, 0, 0, 0, nyse.NewYork)
)

// simEnv is the execution service wired as in production, against an in-process simulator
// reached through the real Alpaca client.
type simEnv struct {
	t      testing.TB
	sim    *alpacasim.Server
	url    string
	rec    *eventbus.Recorder
	router *lambdaevent.Router
	// onOrderPlaced, when set, is called after each POST /v2/orders answered 200.
	onOrderPlaced atomic.Pointer[func(n int64)]
	placed        atomic.Int64
}

// countingTransport counts accepted orders, for the crash test.
type countingTransport struct {
	env  *simEnv
	base http.RoundTripper
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(r)
	if err == nil && r.Method == http.MethodPost && r.URL.Path == "/v2/orders" && resp.StatusCode == http.StatusOK {
		n := c.env.placed.Add(1)
		if f := c.env.onOrderPlaced.Load(); f != nil {
			(*f)(n)
		}
	}
	return resp, err
}

func baseEnv(url string) map[string]string {
	return map[string]string{
		"STAGE": "local", "EVENT_BUS_NAME": "alchemiser-local", "EVENTBRIDGE_ENDPOINT": "http://127.0.0.1:1",
		"ALPACA_TRADING_URL": url, "ALPACA_DATA_URL": url, "ALPACA_KEY_ID": alpacasim.DefaultKeyID, "ALPACA_SECRET_KEY": alpacasim.DefaultSecretKey,
		"EXECUTION_PHASE_TIMEOUT": "3s", "EXECUTION_POLL_INTERVAL": "50ms",
	}
}

func newSim(t testing.TB, cfg alpacasim.Config) (*alpacasim.Server, string) {
	t.Helper()
	if cfg.AsOf.IsZero() {
		cfg.AsOf = openAt
	}
	sim, err := alpacasim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim, url
}

// newEnv starts a simulator and the service; env overrides the environment.
func newEnv(t testing.TB, simCfg alpacasim.Config, env map[string]string) *simEnv {
	t.Helper()
	sim, url := newSim(t, simCfg)
	e := &simEnv{t: t, sim: sim, url: url, rec: eventbus.NewRecorder()}
	e.router = e.newRouter(idempotency.NewMemory(), env)
	return e
}

// newRouter builds another instance of the service (another Lambda container) on the same
// simulator and recorder.
func (e *simEnv) newRouter(store idempotency.Store, env map[string]string) *lambdaevent.Router {
	vars := baseEnv(e.url)
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := service.ConfigFromEnv(func(k string) string { return vars[k] })
	if err != nil {
		e.t.Fatal(err)
	}
	r, err := service.NewWithDeps(context.Background(), cfg, slog.New(slog.DiscardHandler), service.Deps{
		Publisher: e.rec, Store: store, Metrics: emf.New(io.Discard, "test"),
		Alpaca: alpacaclient.Options{
			HTTPClient: &http.Client{Timeout: 10 * time.Second, Transport: countingTransport{env: e, base: http.DefaultTransport}},
			Limiter:    rate.NewLimiter(rate.Inf, 0),
			Sleep:      func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
			// The upstream client waits this long before its own (broken) 429 retry.
			UpstreamRetryDelay: time.Millisecond,
		},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// seed buys positions with the bare Alpaca client, as another user of the account would.
func (e *simEnv) seed(qty map[string]int64) {
	e.t.Helper()
	c := alpaca.NewClient(alpaca.ClientOpts{APIKey: alpacasim.DefaultKeyID, APISecret: alpacasim.DefaultSecretKey, BaseURL: e.url})
	for sym, n := range qty {
		q := decimal.NewFromInt(n)
		if _, err := c.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: sym, Qty: &q, Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: "seed-" + sym}); err != nil {
			e.t.Fatalf("seed %s: %v", sym, err)
		}
	}
}

type item struct {
	sym      string
	action   v1.Action
	qty      string
	notional string
}

func planEvent(name string, mode v1.TradingMode, items ...item) *v1.RebalancePlanned {
	ev := &v1.RebalancePlanned{
		Metadata: v1.Metadata{EventType: v1.TypeRebalancePlanned, EventID: v1.DeriveID("event", name), CorrelationID: v1.DeriveID("corr", name),
			CausationID: v1.DeriveID("cause", name), SchemaVersion: v1.SchemaVersion, OccurredAt: openAt.UTC(), Producer: "portfolio",
			Stage: "local", TradingMode: mode},
		PlanID: "plan-" + name, Equity: v1.MustDecimal("100000"), Cash: v1.MustDecimal("100000"), CashReserve: v1.MustDecimal("0.01"),
	}
	for _, it := range items {
		pi := v1.PlanItem{Symbol: it.sym, Action: it.action, CurrentQty: v1.MustDecimal("0"), CurrentWeight: v1.MustDecimal("0"),
			TargetWeight: v1.MustDecimal("0"), CurrentValue: v1.MustDecimal("0"), TargetValue: v1.MustDecimal("0"), Price: v1.MustDecimal("100")}
		if it.qty != "" {
			q := v1.MustDecimal(it.qty)
			pi.Qty = &q
		}
		if it.notional != "" {
			n := v1.MustDecimal(it.notional)
			pi.Notional = &n
		}
		ev.Items = append(ev.Items, pi)
	}
	return ev
}

func wrap(t testing.TB, ev v1.Event, replay string) []byte {
	t.Helper()
	b, err := v1.Wrap(ev, v1.DeriveID("envelope", ev.Meta().EventID), "000000000000", "us-east-1", openAt)
	if err != nil {
		t.Fatal(err)
	}
	if replay == "" {
		return b
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["replay-name"] = replay
	b, _ = json.Marshal(m)
	return b
}

func (e *simEnv) invoke(ctx context.Context, r *lambdaevent.Router, payload []byte) error {
	_, err := r.Invoke(ctx, payload)
	return err
}

// tradeExecuted returns the single distinct TradeExecuted published (retries publish the same
// event ID again).
func (e *simEnv) tradeExecuted() *v1.TradeExecuted {
	e.t.Helper()
	evs := e.rec.OfType(v1.TypeTradeExecuted)
	if len(evs) == 0 {
		e.t.Fatalf("no TradeExecuted published; events: %v", e.rec.Events())
	}
	last := evs[len(evs)-1].(*v1.TradeExecuted)
	for _, ev := range evs {
		if ev.Meta().EventID != last.EventID {
			e.t.Fatalf("TradeExecuted published with two event IDs: %s and %s", ev.Meta().EventID, last.EventID)
		}
	}
	return last
}

// ourOrders returns the simulator's orders of this system, by client order ID, failing on
// any client order ID used twice.
func (e *simEnv) ourOrders() map[string]alpacasim.Order {
	e.t.Helper()
	out := map[string]alpacasim.Order{}
	for _, o := range e.sim.Orders() {
		if !strings.HasPrefix(o.ClientOrderID, "alch-") {
			continue
		}
		if _, dup := out[o.ClientOrderID]; dup {
			e.t.Fatalf("client order ID %s placed twice", o.ClientOrderID)
		}
		out[o.ClientOrderID] = o
	}
	return out
}

// checkReport checks that every order of the report matches the simulator's record.
func (e *simEnv) checkReport(te *v1.TradeExecuted) {
	e.t.Helper()
	sim := e.ourOrders()
	for _, o := range te.Orders {
		s, ok := sim[o.ClientOrderID]
		if o.Status == "refused" || (!ok && o.Status == "rejected" && o.BrokerOrderID == "") {
			continue
		}
		if !ok {
			e.t.Fatalf("reported order %s is not at the broker", o.ClientOrderID)
		}
		if s.ID != o.BrokerOrderID || s.Status != o.Status || !s.FilledQty.Equal(o.FilledQty.Decimal) {
			e.t.Errorf("order %s: reported %s %s filled %s; broker has %s %s filled %s", o.ClientOrderID, o.BrokerOrderID, o.Status, o.FilledQty, s.ID, s.Status, s.FilledQty)
		}
		if s.FilledAvgPrice != nil && (o.AvgPrice == nil || !o.AvgPrice.Equal(*s.FilledAvgPrice)) {
			e.t.Errorf("order %s: avg price %v; broker has %s", o.ClientOrderID, o.AvgPrice, s.FilledAvgPrice)
		}
	}
	if len(te.Orders) < len(sim) {
		e.t.Errorf("report lists %d orders; the broker has %d", len(te.Orders), len(sim))
	}
}

func (e *simEnv) position(sym string) decimal.Decimal {
	for _, p := range e.sim.Positions() {
		if p.Symbol == sym {
			return p.Qty
		}
	}
	return decimal.Zero
}

func TestSimFullPlanSellsThenBuys(t *testing.T) {
	e := newEnv(t, alpacasim.Config{Cash: decimal.NewFromInt(60_000)}, nil)
	e.seed(map[string]int64{"SPY": 50, "TLT": 100})
	ev := planEvent("full", v1.ModePaper,
		item{sym: "SPY", action: v1.ActionSell, qty: "50"},
		item{sym: "TLT", action: v1.ActionSell, qty: "40"},
		item{sym: "BIL", action: v1.ActionHold},
		item{sym: "QQQ", action: v1.ActionBuy, qty: "30"},
		item{sym: "GLD", action: v1.ActionBuy, notional: "2000"},
		item{sym: "IEF", action: v1.ActionBuy, qty: "20"},
	)
	ev.Items[2].Qty = nil
	if err := e.invoke(context.Background(), e.router, wrap(t, ev, "")); err != nil {
		t.Fatal(err)
	}
	te := e.tradeExecuted()
	if te.Outcome != v1.OutcomeSuccess || len(te.Orders) != 5 {
		t.Fatalf("outcome %s (%s), %d orders", te.Outcome, te.Reason, len(te.Orders))
	}
	e.checkReport(te)
	for _, o := range te.Orders {
		if o.Status != "filled" {
			t.Errorf("%s %s: %s", o.Side, o.Symbol, o.Status)
		}
	}
	// Sells first, then buys, in the broker's own order log.
	var sides []string
	for _, o := range e.sim.Orders() {
		if strings.HasPrefix(o.ClientOrderID, "alch-") {
			sides = append(sides, o.Side)
		}
	}
	if strings.Join(sides, ",") != "sell,sell,buy,buy,buy" {
		t.Fatalf("order sequence %v", sides)
	}
	for sym, want := range map[string]string{"SPY": "0", "TLT": "60", "QQQ": "30", "IEF": "20"} {
		if got := e.position(sym); !got.Equal(decimal.RequireFromString(want)) {
			t.Errorf("position %s = %s; want %s", sym, got, want)
		}
	}
	if !e.position("GLD").IsPositive() {
		t.Error("no GLD position")
	}
}

func fivePlan(name string) *v1.RebalancePlanned {
	return planEvent(name, v1.ModePaper,
		item{sym: "SPY", action: v1.ActionBuy, qty: "3"},
		item{sym: "QQQ", action: v1.ActionBuy, qty: "4"},
		item{sym: "TLT", action: v1.ActionBuy, qty: "5"},
		item{sym: "GLD", action: v1.ActionBuy, notional: "750"},
		item{sym: "BIL", action: v1.ActionBuy, qty: "10"},
	)
}

func TestSimDuplicateDeliveriesPlaceEachOrderOnce(t *testing.T) {
	tests := []struct {
		name        string
		sharedStore bool
	}{
		{"one idempotency store", true},
		{"separate stores: client order IDs alone", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, alpacasim.Config{}, nil)
			store := idempotency.Store(idempotency.NewMemory())
			routers := []*lambdaevent.Router{e.newRouter(store, nil), e.newRouter(store, nil), e.newRouter(store, nil)}
			if !tt.sharedStore {
				routers = []*lambdaevent.Router{e.newRouter(idempotency.NewMemory(), nil), e.newRouter(idempotency.NewMemory(), nil), e.newRouter(idempotency.NewMemory(), nil)}
			}
			payload := wrap(t, fivePlan("dup"), "")
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, 2)
			for i := range 2 {
				wg.Go(func() {
					<-start
					errs[i] = e.invoke(context.Background(), routers[i], payload)
				})
			}
			close(start)
			wg.Wait()
			for _, err := range errs {
				if err != nil && !strings.Contains(err.Error(), lambdaevent.ErrInProgress.Error()) {
					t.Fatalf("concurrent delivery: %v", err)
				}
			}
			if err := e.invoke(context.Background(), routers[2], payload); err != nil {
				t.Fatal(err)
			}
			if n := len(e.ourOrders()); n != 5 {
				t.Fatalf("%d orders at the broker; want 5", n)
			}
			te := e.tradeExecuted()
			if te.Outcome != v1.OutcomeSuccess {
				t.Fatalf("outcome %s: %s", te.Outcome, te.Reason)
			}
			e.checkReport(te)
		})
	}
}

func TestSimKilledAfterTwoOfFiveThenRetried(t *testing.T) {
	e := newEnv(t, alpacasim.Config{}, nil)
	ctx, crash := context.WithCancel(context.Background())
	defer crash()
	f := func(n int64) {
		if n == 2 {
			crash()
		}
	}
	e.onOrderPlaced.Store(&f)
	payload := wrap(t, fivePlan("crash"), "")
	if err := e.invoke(ctx, e.router, payload); err == nil {
		t.Fatal("the killed delivery reported success")
	}
	if n := len(e.ourOrders()); n != 2 {
		t.Fatalf("%d orders before the retry; want 2", n)
	}
	e.onOrderPlaced.Store(nil)
	before := e.placed.Load()
	if err := e.invoke(context.Background(), e.router, payload); err != nil {
		t.Fatal(err)
	}
	if n := len(e.ourOrders()); n != 5 {
		t.Fatalf("%d orders after the retry; want 5", n)
	}
	if n := e.placed.Load() - before; n != 3 {
		t.Fatalf("the retry placed %d orders; want 3", n)
	}
	te := e.tradeExecuted()
	if te.Outcome != v1.OutcomeSuccess || len(te.Orders) != 5 {
		t.Fatalf("outcome %s (%s), %d orders", te.Outcome, te.Reason, len(te.Orders))
	}
	e.checkReport(te)
}

func TestSimFaults(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		path    string
		kind    alpacasim.FaultKind
		outcome v1.Outcome
		status  string // of the faulted (first) order
	}{
		{"429 on place", "POST", "/v2/orders", alpacasim.FaultRateLimited, v1.OutcomeSuccess, "filled"},
		{"5xx after acceptance", "POST", "/v2/orders", alpacasim.FaultServerErrorAfterAccept, v1.OutcomeSuccess, "filled"},
		{"dropped after acceptance", "POST", "/v2/orders", alpacasim.FaultDropAfterAccept, v1.OutcomeSuccess, "filled"},
		{"5xx before acceptance", "POST", "/v2/orders", alpacasim.FaultServerError, v1.OutcomeSuccess, "filled"},
		// The simulator fills the rest of a partial fill at its next step (any request), so
		// the run ends filled; the app tests cover a partial fill that never completes.
		{"partial fill", "", "", alpacasim.FaultPartialFill, v1.OutcomeSuccess, "filled"},
		{"reject", "", "", alpacasim.FaultReject, v1.OutcomePartial, "rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, alpacasim.Config{}, map[string]string{"EXECUTION_PHASE_TIMEOUT": "300ms"})
			e.sim.FailNext(tt.method, tt.path, tt.kind, 1)
			if err := e.invoke(context.Background(), e.router, wrap(t, fivePlan("fault"), "")); err != nil {
				t.Fatal(err)
			}
			if n := len(e.ourOrders()); n != 5 {
				t.Fatalf("%d orders at the broker; want 5", n)
			}
			te := e.tradeExecuted()
			if te.Outcome != tt.outcome || te.Orders[0].Status != tt.status {
				t.Fatalf("outcome %s (%s), first order %+v", te.Outcome, te.Reason, te.Orders[0])
			}
			e.checkReport(te)
			if tt.kind == alpacasim.FaultPartialFill && !hasEvent(e.sim.TradeUpdates(), te.Orders[0].ClientOrderID, "partial_fill") {
				t.Fatal("the fault did not partially fill the first order")
			}
			if tt.outcome != v1.OutcomeSuccess && !strings.Contains(te.Reason, "SPY") {
				t.Fatalf("reason does not name the order: %s", te.Reason)
			}
		})
	}
}

// TestSimSeededRandomFaults runs plans under seeded random faults, redelivering as Lambda would
// until the handler succeeds, and checks that no order is duplicated and the report matches
// the broker.
func TestSimSeededRandomFaults(t *testing.T) {
	for seed := int64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			e := newEnv(t, alpacasim.Config{Faults: alpacasim.Faults{Seed: seed, RateLimited: 0.15, ServerError: 0.05,
				ServerErrorAfterAccept: 0.2, Drop: 0.05, PartialFill: 0.2, Reject: 0.1}}, map[string]string{"EXECUTION_PHASE_TIMEOUT": "300ms"})
			payload := wrap(t, fivePlan(fmt.Sprint("random", seed)), "")
			var err error
			for range 10 {
				if err = e.invoke(context.Background(), e.router, payload); err == nil {
					break
				}
			}
			if err != nil {
				t.Fatalf("still failing after 10 deliveries: %v", err)
			}
			if n := len(e.ourOrders()); n != 5 {
				t.Fatalf("%d orders at the broker; want 5", n)
			}
			e.checkReport(e.tradeExecuted())
		})
	}
}

func TestSimGuardsPlaceNothing(t *testing.T) {
	tests := []struct {
		name    string
		asOf    time.Time
		env     map[string]string
		replay  string
		dryRun  bool
		outcome v1.Outcome
	}{
		{"replayed event", openAt, nil, "replay-2026-11-24", false, v1.OutcomeDryRun},
		{"dry run", openAt, nil, "", true, v1.OutcomeDryRun},
		{"closed market", closedAt, nil, "", false, v1.OutcomeSkipped},
		{"kill switch", openAt, map[string]string{"EXECUTION_KILL_SWITCH": "true"}, "", false, v1.OutcomeSkipped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, alpacasim.Config{AsOf: tt.asOf}, tt.env)
			e.seed(map[string]int64{"SPY": 10})
			ev := fivePlan("guard")
			ev.DryRun = tt.dryRun
			ev.Items = append(ev.Items, v1.PlanItem{Symbol: "SPY", Action: v1.ActionSell, Qty: ptr(v1.MustDecimal("10")),
				CurrentQty: v1.MustDecimal("10"), CurrentWeight: v1.MustDecimal("0"), TargetWeight: v1.MustDecimal("0"),
				CurrentValue: v1.MustDecimal("0"), TargetValue: v1.MustDecimal("0"), Price: v1.MustDecimal("100")})
			before := len(e.sim.Orders())
			if err := e.invoke(context.Background(), e.router, wrap(t, ev, tt.replay)); err != nil {
				t.Fatal(err)
			}
			if n := len(e.sim.Orders()) - before; n != 0 {
				t.Fatalf("%d orders placed", n)
			}
			te := e.tradeExecuted()
			if te.Outcome != tt.outcome || te.Reason == "" || len(te.Orders) != 6 {
				t.Fatalf("outcome %s (%s), %d orders", te.Outcome, te.Reason, len(te.Orders))
			}
			if tt.outcome == v1.OutcomeDryRun {
				if !te.DryRun || !strings.Contains(te.Reason, "dry run") {
					t.Fatalf("a dry run not marked as such: dry_run=%t reason %q", te.DryRun, te.Reason)
				}
				for _, o := range te.Orders {
					if o.Status != "simulated" || o.AvgPrice == nil || !o.FilledQty.IsPositive() {
						t.Fatalf("simulated order %+v", o)
					}
				}
			}
			if tt.name == "closed market" {
				want := time.Date(2026, 11, 30, 9, 30, 0, 0, nyse.NewYork)
				if te.NextOpen == nil || !te.NextOpen.Equal(want) {
					t.Fatalf("next open %v; want %v", te.NextOpen, want)
				}
			}
		})
	}
}

func TestSimCancelsOnlyOwnStaleOrders(t *testing.T) {
	e := newEnv(t, alpacasim.Config{}, nil)
	c := alpaca.NewClient(alpaca.ClientOpts{APIKey: alpacasim.DefaultKeyID, APISecret: alpacasim.DefaultSecretKey, BaseURL: e.url})
	low := decimal.NewFromInt(1)
	one := decimal.NewFromInt(1)
	for _, cid := range []string{"alch-00000000000000ff-SPY-b-0", "someone-else-1"} {
		if _, err := c.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "SPY", Qty: &one, Side: alpaca.Buy, Type: alpaca.Limit, LimitPrice: &low, TimeInForce: alpaca.Day, ClientOrderID: cid}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.invoke(context.Background(), e.router, wrap(t, fivePlan("stale"), "")); err != nil {
		t.Fatal(err)
	}
	for _, o := range e.sim.Orders() {
		switch o.ClientOrderID {
		case "alch-00000000000000ff-SPY-b-0":
			if o.Status != "canceled" {
				t.Errorf("own stale order is %s", o.Status)
			}
		case "someone-else-1":
			if o.Status != "new" {
				t.Errorf("someone else's order is %s", o.Status)
			}
		}
	}
}

func TestSimSmartLimit(t *testing.T) {
	e := newEnv(t, alpacasim.Config{}, map[string]string{"EXECUTION_ORDER_POLICY": "smart_limit", "EXECUTION_REPEG_AFTER": "100ms", "EXECUTION_MARKET_AFTER": "300ms"})
	if err := e.invoke(context.Background(), e.router, wrap(t, fivePlan("smart"), "")); err != nil {
		t.Fatal(err)
	}
	te := e.tradeExecuted()
	if te.Outcome != v1.OutcomeSuccess {
		t.Fatalf("outcome %s: %s", te.Outcome, te.Reason)
	}
	e.checkReport(te)
	limits := 0
	for _, o := range e.ourOrders() {
		if o.Type == "limit" {
			limits++
		}
	}
	if limits == 0 {
		t.Fatal("no limit orders under the smart limit policy")
	}
}

func hasEvent(updates []alpacasim.TradeUpdate, cid, event string) bool {
	for _, u := range updates {
		if u.Order.ClientOrderID == cid && u.Event == event {
			return true
		}
	}
	return false
}

func ptr[T any](v T) *T { return &v }

// TestSimPositionAndCashShortfalls: a sell larger than the position is refused by the broker
// and reported; buys larger than the cash are scaled down before they are sent, so none is
// refused for buying power.
func TestSimPositionAndCashShortfalls(t *testing.T) {
	e := newEnv(t, alpacasim.Config{Cash: decimal.NewFromInt(10_000)}, nil)
	e.seed(map[string]int64{"TLT": 10})
	ev := planEvent("short", v1.ModePaper,
		item{sym: "TLT", action: v1.ActionSell, qty: "25"},
		item{sym: "QQQ", action: v1.ActionBuy, qty: "40"},
		item{sym: "GLD", action: v1.ActionBuy, notional: "9000"},
	)
	if err := e.invoke(context.Background(), e.router, wrap(t, ev, "")); err != nil {
		t.Fatal(err)
	}
	te := e.tradeExecuted()
	e.checkReport(te)
	if te.Outcome != v1.OutcomePartial || !strings.Contains(te.Reason, "scaled") {
		t.Fatalf("outcome %s: %s", te.Outcome, te.Reason)
	}
	if o := te.Orders[0]; o.Status != "rejected" || !strings.Contains(o.Error, "qty") {
		t.Fatalf("oversized sell reported as %+v", o)
	}
	for _, o := range te.Orders[1:] {
		if o.Status != "filled" {
			t.Fatalf("scaled buy %+v", o)
		}
	}
	if e.sim.Cash().IsNegative() {
		t.Fatalf("cash %s", e.sim.Cash())
	}
}
