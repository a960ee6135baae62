package render_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"

	"github.com/alchemiser/alchemiser/services/notifier/internal/render"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var t0 = time.Date(2026, 11, 30, 14, 50, 0, 0, time.UTC)

func dec(s string) *v1.Decimal { d := v1.MustDecimal(s); return &d }
func w(s string) v1.Decimal    { return v1.MustDecimal(s) }

func meta(t v1.DetailType, dry bool) v1.Metadata {
	return v1.Metadata{EventType: t, EventID: "ev-1", CorrelationID: "4f1c2d3e-0000-5000-8000-000000000001", CausationID: "c",
		SchemaVersion: v1.SchemaVersion, OccurredAt: t0.Add(9 * time.Second), Producer: "orchestrator", Stage: "local",
		TradingMode: v1.ModePaper, DryRun: dry}
}

func timeline(end v1.DetailType, note string) []v1.TimelineEntry {
	return []v1.TimelineEntry{
		{At: t0, Step: v1.StepOrchestrator, EventType: v1.TypeWorkflowStarted, EventID: "e0", Note: "trigger schedule"},
		{At: t0.Add(2100 * time.Millisecond), Step: v1.StepStrategy, EventType: v1.TypeSignalGenerated, EventID: "e1"},
		{At: t0.Add(3400 * time.Millisecond), Step: v1.StepPortfolio, EventType: v1.TypeRebalancePlanned, EventID: "e2"},
		{At: t0.Add(8800 * time.Millisecond), Step: v1.StepExecution, EventType: v1.TypeTradeExecuted, EventID: "e3", Note: "outcome success"},
		{At: t0.Add(9 * time.Second), Step: v1.StepOrchestrator, EventType: end, EventID: "e4", Note: note},
	}
}

func strategies() []v1.StrategySignal {
	return []v1.StrategySignal{
		{Name: "TQQQ FLT", File: "tqqq_flt.clj", Weight: w("0.5"), Status: v1.StrategyOK,
			Allocation: []v1.TargetWeight{{Symbol: "SPY", Weight: w("1")}},
			Trace:      []string{"rsi(QQQ,10)=71.20 > 79 -> else", "rsi(SPY,10)=55.02 < 30 -> else", "select SPY"}},
		{Name: "Bond Rotator", File: "bonds.clj", Weight: w("0.5"), Status: v1.StrategyOK,
			Allocation: []v1.TargetWeight{{Symbol: "TLT", Weight: w("0.6")}, {Symbol: "SPY", Weight: w("0.4")}},
			Trace:      []string{"cumulative_return(TLT,20)=0.031 > 0 -> then"}},
	}
}

func success(dry bool) *v1.TradingNotificationRequested {
	n := &v1.TradingNotificationRequested{
		Metadata: meta(v1.TypeTradingNotificationRequested, dry), Status: v1.StatusSuccess, Outcome: v1.OutcomeSuccess,
		Summary: "PAPER run: 3 orders placed, 3 filled (success)", AsOf: "2026-11-27",
		Target:     []v1.TargetWeight{{Symbol: "SPY", Weight: w("0.7")}, {Symbol: "TLT", Weight: w("0.3")}},
		Strategies: strategies(), PlanID: "plan-1", Equity: dec("104235.5"),
		Plan: []v1.PlanItem{
			{Symbol: "QQQ", Action: v1.ActionSell, CurrentQty: w("20"), CurrentWeight: w("0.1"), TargetWeight: w("0"), CurrentValue: w("10423.55"), TargetValue: w("0"), Price: w("521.18"), Qty: dec("20"), Liquidate: true},
			{Symbol: "SPY", Action: v1.ActionBuy, CurrentQty: w("100"), CurrentWeight: w("0.57"), TargetWeight: w("0.7"), CurrentValue: w("59414.24"), TargetValue: w("72234.20"), Price: w("594.14"), Qty: dec("21")},
			{Symbol: "TLT", Action: v1.ActionBuy, CurrentQty: w("250"), CurrentWeight: w("0.22"), TargetWeight: w("0.3"), CurrentValue: w("22931.81"), TargetValue: w("30957.94"), Price: w("91.73"), Notional: dec("8026.13")},
		},
		Orders: []v1.OrderResult{
			{ClientOrderID: "o1", BrokerOrderID: "b1", Symbol: "QQQ", Side: v1.SideSell, RequestedQty: dec("20"), FilledQty: w("20"), AvgPrice: dec("521.07"), Status: "filled"},
			{ClientOrderID: "o2", BrokerOrderID: "b2", Symbol: "SPY", Side: v1.SideBuy, RequestedQty: dec("21"), FilledQty: w("21"), AvgPrice: dec("594.2"), Status: "filled"},
			{ClientOrderID: "o3", BrokerOrderID: "b3", Symbol: "TLT", Side: v1.SideBuy, RequestedNotional: dec("8026.13"), FilledQty: w("87.49"), AvgPrice: dec("91.74"), Status: "filled"},
		},
		Timeline: timeline(v1.TypeWorkflowCompleted, "outcome success"), StartedAt: t0, EndedAt: t0.Add(9 * time.Second),
	}
	if dry {
		n.Status, n.Outcome = v1.StatusDryRun, v1.OutcomeDryRun
		n.Summary = "Dry run: 3 orders simulated, nothing sent to the broker"
		for i := range n.Orders {
			n.Orders[i].Status, n.Orders[i].BrokerOrderID, n.Orders[i].FilledQty, n.Orders[i].AvgPrice = "simulated", "", w("0"), nil
		}
	}
	return n
}

func noTrades() *v1.TradingNotificationRequested {
	n := success(false)
	n.Status, n.Summary, n.Orders = v1.StatusNoTrades, "PAPER run: 0 orders, the portfolio already matches the target", nil
	n.Plan = []v1.PlanItem{
		{Symbol: "SPY", Action: v1.ActionHold, CurrentQty: w("123"), CurrentWeight: w("0.7"), TargetWeight: w("0.7"), CurrentValue: w("73079"), TargetValue: w("73079"), Price: w("594.14"), Reason: "within threshold"},
		{Symbol: "TLT", Action: v1.ActionHold, CurrentQty: w("340"), CurrentWeight: w("0.3"), TargetWeight: w("0.3"), CurrentValue: w("31188"), TargetValue: w("31188"), Price: w("91.73"), Reason: "within threshold"},
	}
	return n
}

func skipped() *v1.TradingNotificationRequested {
	n := noTrades()
	n.Status, n.Outcome, n.Reason = v1.StatusSkipped, v1.OutcomeSkipped, "market closed: next open 2026-12-01T14:30:00Z"
	n.Summary = "PAPER run skipped: " + n.Reason
	return n
}

func failure() *v1.TradingNotificationRequested {
	return &v1.TradingNotificationRequested{
		Metadata: meta(v1.TypeTradingNotificationRequested, false), Status: v1.StatusFailure,
		Summary: "PAPER run failed at strategy: parse tqqq_flt.clj: line 3: unexpected )",
		Target:  []v1.TargetWeight{}, Strategies: nil, Plan: nil, Orders: nil,
		Timeline: []v1.TimelineEntry{
			{At: t0, Step: v1.StepOrchestrator, EventType: v1.TypeWorkflowStarted, EventID: "e0", Note: "trigger schedule"},
			{At: t0.Add(1500 * time.Millisecond), Step: v1.StepStrategy, EventType: v1.TypeStepFailed, EventID: "e1", Note: "strategy_invalid: parse tqqq_flt.clj: line 3: unexpected )"},
			{At: t0.Add(1600 * time.Millisecond), Step: v1.StepOrchestrator, EventType: v1.TypeWorkflowFailed, EventID: "e2", Note: "strategy_invalid: parse tqqq_flt.clj: line 3: unexpected )"},
		},
		StartedAt: t0, EndedAt: t0.Add(1600 * time.Millisecond), Reason: "parse tqqq_flt.clj: line 3: unexpected )",
		Failure: &v1.Failure{Step: v1.StepStrategy, Code: "strategy_invalid", Reason: "parse tqqq_flt.clj: line 3: unexpected )"},
	}
}

const report = "Workflow 4f1c2d3e-0000-5000-8000-000000000001 failed at step strategy (code strategy_invalid).\nReason: parse tqqq_flt.clj: line 3: unexpected )\nWhat to do: fix the cause reported by the strategy service, then start a new run.\n"

func TestGolden(t *testing.T) {
	cases := []struct {
		name   string
		n      *v1.TradingNotificationRequested
		report string
		want   string
	}{
		{"success", success(false), "", "[SUCCESS] Alchemiser - PAPER Trading Report"},
		{"no_trades", noTrades(), "", "[SUCCESS] Alchemiser - PAPER Trading Report"},
		{"failure", failure(), report, "[FAILURE][strategy_invalid] Alchemiser - PAPER Trading Report"},
		{"dry_run", success(true), "", "[DRY RUN] Alchemiser - PAPER Trading Report"},
		{"skipped", skipped(), "", "[SUCCESS] Alchemiser - PAPER Trading Report"},
	}
	for _, c := range cases {
		for _, neutral := range []bool{true, false} {
			name := c.name + map[bool]string{true: "_neutral", false: "_normal"}[neutral]
			t.Run(name, func(t *testing.T) {
				e, err := render.Trading(c.n, c.report, render.Options{Neutral: neutral})
				if err != nil {
					t.Fatal(err)
				}
				if e.Subject != c.want {
					t.Errorf("subject %q, want %q", e.Subject, c.want)
				}
				golden(t, name+".html", e.HTML)
				golden(t, name+".txt", e.Text)
				if neutral {
					for _, body := range []string{e.HTML, e.Text} {
						if strings.Contains(body, "$") {
							t.Errorf("neutral email shows a dollar value:\n%s", body)
						}
					}
				}
				if len(c.n.Target)+len(c.n.Plan) > 0 {
					if _, err := png.Decode(bytes.NewReader(e.Chart)); err != nil {
						t.Errorf("chart is not a PNG: %v", err)
					}
					if !strings.Contains(e.HTML, "cid:"+render.ChartCID) {
						t.Error("HTML does not show the chart")
					}
				} else if e.Chart != nil {
					t.Error("chart drawn with nothing to draw")
				}
			})
		}
	}
}

func TestSubjects(t *testing.T) {
	live := success(false)
	live.TradingMode = v1.ModeLive
	replay := success(false)
	dryFail := failure()
	dryFail.DryRun = true
	cases := []struct {
		n    *v1.TradingNotificationRequested
		o    render.Options
		want string
	}{
		{live, render.Options{}, "[SUCCESS] Alchemiser - LIVE Trading Report"},
		{replay, render.Options{Replay: true}, "[DRY RUN][SUCCESS] Alchemiser - PAPER Trading Report"},
		{dryFail, render.Options{}, "[DRY RUN][FAILURE][strategy_invalid] Alchemiser - PAPER Trading Report"},
	}
	for _, c := range cases {
		if got := render.Subject(c.n, c.o); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func TestChartIsDeterministic(t *testing.T) {
	bars := []render.Bar{{Target: 700, Current: 570}, {Target: 300, Current: 220}, {Target: 0, Current: 100}}
	a, err := render.Chart(bars)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := render.Chart(bars)
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings differ")
	}
	sum := sha256.Sum256(a)
	golden(t, "chart.sha256", hex.EncodeToString(sum[:])+"\n")
	if _, err := render.Chart(nil); err == nil {
		t.Error("empty chart accepted")
	}
}

func TestAlert(t *testing.T) {
	e, err := render.Alert(&v1.ErrorNotificationRequested{Metadata: meta(v1.TypeErrorNotificationRequested, false),
		Severity: v1.SeverityCritical, Step: v1.StepExecution, Code: "dlq_not_empty", Message: "3 events in execution-dlq", Report: "see the DLQ"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Subject != "[ALERT][critical][dlq_not_empty] Alchemiser - PAPER Error Report" {
		t.Errorf("subject %q", e.Subject)
	}
	golden(t, "alert.txt", e.Text)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (run with -update if intended):\n--- got\n%s", name, got)
	}
}

func BenchmarkTrading(b *testing.B) {
	n := success(false)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := render.Trading(n, "", render.Options{Neutral: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChart(b *testing.B) {
	bars := []render.Bar{{Target: 700, Current: 570}, {Target: 300, Current: 220}, {Target: 0, Current: 100}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := render.Chart(bars); err != nil {
			b.Fatal(err)
		}
	}
}
