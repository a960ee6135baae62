package localcloud_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/contracts/routing"
	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/infra/local/lambdahost"
	"github.com/alchemiser/alchemiser/infra/local/localcloud"
	"github.com/alchemiser/alchemiser/infra/local/smtpinbox"
	orchestrator "github.com/alchemiser/alchemiser/services/orchestrator/service"
)

// start runs a local cloud in a temporary folder for the rest of the test.
func start(t *testing.T, opts localcloud.Options) *localcloud.Cloud {
	t.Helper()
	opts.StateDir = t.TempDir()
	opts.FastRetries = true
	opts.Seed = 42
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := localcloud.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return c
}

func run(t *testing.T, c *localcloud.Cloud, cmd localcloud.StartCommand) localcloud.Summary {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if cmd.Trigger == "" {
		cmd.Trigger = "cli"
	}
	s, err := c.Run(ctx, cmd)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func body(t *testing.T, m smtpinbox.Message) (string, string) {
	t.Helper()
	raw, err := os.ReadFile(m.Path)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := smtpinbox.ParseParts(raw)
	if err != nil {
		t.Fatal(err)
	}
	return parts.Text, parts.HTML
}

// TestTradingRun is the first end-to-end run of the notifier issue: a trading run sends one
// success email whose allocation table and order list agree with the workflow.
func TestTradingRun(t *testing.T) {
	logs := &lockedBuffer{}
	c := start(t, localcloud.Options{FunctionLog: logs})
	s := run(t, c, localcloud.StartCommand{Mode: "trade"})
	if s.State != "Completed" || s.Outcome != string(v1.OutcomeSuccess) {
		t.Fatalf("workflow %s ended %s/%s, failure %+v", s.CorrelationID, s.State, s.Outcome, s.Failure)
	}
	if s.Plan == nil || s.Execution == nil {
		t.Fatal("no plan or no execution in the summary")
	}
	// Every BUY and SELL of the plan became exactly one filled order.
	trades := 0
	for _, it := range s.Plan.Items {
		if it.Action == v1.ActionHold {
			continue
		}
		trades++
		found := false
		for _, o := range s.Execution.Orders {
			if o.Symbol == it.Symbol && o.Status == "filled" && o.FilledQty.IsPositive() {
				found = true
			}
		}
		if !found {
			t.Errorf("plan item %s %s has no filled order", it.Action, it.Symbol)
		}
	}
	if trades == 0 || len(s.Execution.Orders) != trades {
		t.Errorf("%d orders for %d trades in the plan", len(s.Execution.Orders), trades)
	}
	if !s.OrderCheck.OK || s.OrderCheck.OrdersInLog != trades {
		t.Errorf("order check %+v, want %d orders, no duplicates", s.OrderCheck, trades)
	}
	if len(s.Emails) != 1 {
		t.Fatalf("%d emails, want 1", len(s.Emails))
	}
	if !strings.HasPrefix(s.Emails[0].Subject, "[SUCCESS]") {
		t.Errorf("subject %q", s.Emails[0].Subject)
	}
	text, _ := body(t, s.Emails[0])
	for _, tw := range s.Target {
		if !strings.Contains(text, tw.Symbol) {
			t.Errorf("the email's text does not mention target %s", tw.Symbol)
		}
	}
	for _, o := range s.Execution.Orders {
		if !strings.Contains(text, o.Symbol) {
			t.Errorf("the email's text does not list the order for %s", o.Symbol)
		}
	}
	if s.DeadLetters != 0 {
		t.Errorf("%d dead letters", s.DeadLetters)
	}
	// The dashboard's figures are in the functions' EMF lines, by stage and service.
	for _, want := range []string{`"WorkflowsCompleted":1`, `"WorkflowDurationMs":`, `"AccountEquity":`, `"OrdersPlaced":`, `"OrdersFilled":`, `"Service":"orchestrator"`, `"Stage":"local"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("no EMF figure %s in the functions' output", want)
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for the functions' concurrent writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestNoTradeRun runs twice on one account: the second run finds the portfolio on target and
// sends one email saying 0 orders, which is not a failure.
func TestNoTradeRun(t *testing.T) {
	c := start(t, localcloud.Options{})
	first := run(t, c, localcloud.StartCommand{Mode: "trade"})
	if first.State != "Completed" {
		t.Fatalf("first run %s", first.State)
	}
	second := run(t, c, localcloud.StartCommand{Mode: "trade"})
	if second.State != "Completed" {
		t.Fatalf("second run %s: %+v", second.State, second.Failure)
	}
	if second.Execution != nil && len(second.Execution.Orders) != 0 {
		t.Fatalf("the second run placed %d orders", len(second.Execution.Orders))
	}
	if len(second.Emails) != 1 {
		t.Fatalf("%d emails for the second run, want 1", len(second.Emails))
	}
	text, _ := body(t, second.Emails[0])
	if strings.HasPrefix(second.Emails[0].Subject, "[FAILURE]") || !strings.Contains(text, "0 orders") {
		t.Errorf("no-trade email: subject %q, text lacks \"0 orders\":\n%s", second.Emails[0].Subject, text)
	}
}

// TestFailingRun injects a non-retryable strategy error (an allocation that does not exist):
// one failure email, no success email.
func TestFailingRun(t *testing.T) {
	c := start(t, localcloud.Options{})
	s := run(t, c, localcloud.StartCommand{Mode: "trade", Strategies: "no-such-allocation"})
	if s.State != "Failed" || s.Failure == nil || s.Failure.Step != v1.StepStrategy {
		t.Fatalf("workflow ended %s, failure %+v; want Failed at strategy", s.State, s.Failure)
	}
	if len(s.Emails) != 1 {
		t.Fatalf("%d emails, want exactly 1", len(s.Emails))
	}
	if !strings.HasPrefix(s.Emails[0].Subject, "[FAILURE]") {
		t.Fatalf("subject %q, want a failure email", s.Emails[0].Subject)
	}
	if s.OrderCheck.OrdersInLog != 0 {
		t.Fatalf("a failed run placed %d orders", s.OrderCheck.OrdersInLog)
	}
}

// TestRedelivery delivers every event three times: still one email and no duplicate order.
func TestRedelivery(t *testing.T) {
	c := start(t, localcloud.Options{Faults: localcloud.Faults{Duplicates: 3}})
	s := run(t, c, localcloud.StartCommand{Mode: "trade"})
	if s.State != "Completed" {
		t.Fatalf("ended %s: %+v", s.State, s.Failure)
	}
	if len(s.Emails) != 1 {
		t.Fatalf("%d emails under triple delivery, want 1", len(s.Emails))
	}
	if !s.OrderCheck.OK {
		t.Fatalf("order check under triple delivery: %+v", s.OrderCheck)
	}
	for _, h := range s.Timeline {
		if h.EventType == string(v1.TypeWorkflowStarted) && h.Deliveries < 1 {
			t.Errorf("no delivery recorded for %s", h.EventType)
		}
	}
}

// TestFaultyBroker runs with the fault spec: 5xx from Alpaca a fifth of the time and
// every event three times. The run completes and the order log has no duplicate.
func TestFaultyBroker(t *testing.T) {
	f, err := localcloud.ParseFaults("duplicates=3,alpaca5xx=0.2,seed=7")
	if err != nil {
		t.Fatal(err)
	}
	c := start(t, localcloud.Options{Faults: f})
	s := run(t, c, localcloud.StartCommand{Mode: "trade"})
	if s.State != "Completed" {
		t.Fatalf("ended %s: %+v", s.State, s.Failure)
	}
	if !s.OrderCheck.OK || len(s.Emails) != 1 {
		t.Fatalf("order check %+v, %d emails", s.OrderCheck, len(s.Emails))
	}
}

// TestStuckRun replaces the strategy with a function that takes the event and never answers.
// The orchestrator's sweep ends the workflow with a timed-out failure and its email.
func TestStuckRun(t *testing.T) {
	silent := func(ctx context.Context, payload []byte) ([]byte, error) { return []byte("null"), nil }
	c := start(t, localcloud.Options{
		Handlers: map[routing.Service]lambdahost.Handler{routing.Strategy: silent},
		Env:      map[routing.Service]map[string]string{routing.Orchestrator: {"ORCHESTRATOR_TIMEOUT_STRATEGY": "300ms"}},
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := c.Host.Invoke(ctx, localcloud.FunctionName(routing.Orchestrator), []byte(`{"mode":"trade","trigger":"cli"}`))
	if err != nil {
		t.Fatal(err)
	}
	var started struct {
		CorrelationID string `json:"correlation_id"`
	}
	if err := json.Unmarshal(out, &started); err != nil {
		t.Fatal(err)
	}
	st, err := orchestrator.OpenStore(ctx, "sqlite:"+c.WorkflowDB())
	if err != nil {
		t.Fatal(err)
	}
	// The schedule would send the sweep every minute; send it until the workflow ends.
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := c.Host.Invoke(ctx, localcloud.FunctionName(routing.Orchestrator), []byte(`{"sweep":true}`)); err != nil {
			t.Fatal(err)
		}
		rec, err := st.Get(ctx, started.CorrelationID)
		if err == nil && rec.Terminal() {
			if rec.State != "Failed" || !strings.Contains(rec.FailureReason, "timed out waiting for SignalGenerated") {
				t.Fatalf("ended %s: %q", rec.State, rec.FailureReason)
			}
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("the stuck workflow never ended")
		case <-tick.C:
		}
	}
	msgs, err := c.Inbox.WaitFor(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if n := c.Inbox.Stored(); n != 1 {
		t.Fatalf("%d emails, want 1", n)
	}
	if !strings.HasPrefix(msgs[0].Subject, "[FAILURE]") {
		t.Fatalf("subject %q", msgs[0].Subject)
	}
	text, _ := body(t, msgs[0])
	if !strings.Contains(text, "timed out waiting for SignalGenerated") {
		t.Errorf("the email does not say what timed out:\n%s", text)
	}
}

// TestParseFaults checks the fault spec's parser.
func TestParseFaults(t *testing.T) {
	tests := []struct {
		spec, want, err string
	}{
		{"", "", ""},
		{"duplicates=3,alpaca5xx=0.2,seed=7", "duplicates=3,alpaca5xx=0.2,seed=7", ""},
		{"latency=5ms,reject=0.1", "reject=0.1,latency=5ms,seed=0", ""},
		{"duplicates=0", "", "count from 1 to 10"},
		{"alpaca5xx=2", "", "probability"},
		{"boom=1", "", "unknown key"},
		{"seed", "", "not key=value"},
	}
	for _, tt := range tests {
		f, err := localcloud.ParseFaults(tt.spec)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want %q", tt.spec, err, tt.err)
			}
			continue
		}
		if err != nil || f.String() != tt.want {
			t.Errorf("%q: got %q, %v; want %q", tt.spec, f.String(), err, tt.want)
		}
	}
}
