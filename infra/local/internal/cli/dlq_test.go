package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
)

// runRoot runs the alchemiser command tree in-process and returns its output.
func runRoot(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := NewRoot()
	var out bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&out)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := root.ExecuteContext(ctx)
	return out.String(), err
}

// TestBusCommands drives trace, dlq list/show/redrive and replay against a running local bus
// whose only target (a Lambda function that does not exist) always fails.
func TestBusCommands(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 30, 14, 35, 0, 0, time.UTC)
	var now atomic.Int64
	now.Store(t0.UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	bus, err := eventbridge.Open(ctx, eventbridge.Config{Path: filepath.Join(t.TempDir(), "events.db"), Now: clock, RetryBaseDelay: time.Millisecond, RetryMaxDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	srv, err := eventbridge.Listen(bus, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(ctx)
	ep := srv.Endpoint()
	if err := eventbridge.EnsureArchive(ctx, bus, "default", eventbridge.DefaultArchiveName, 0); err != nil {
		t.Fatal(err)
	}
	if err := bus.CreateQueue(ctx, "dlq", nil); err != nil {
		t.Fatal(err)
	}
	zero := 0
	if _, err := bus.PutRule(ctx, eventbridge.PutRuleInput{Name: "r", EventPattern: `{"source":["cli.test"]}`}); err != nil {
		t.Fatal(err)
	}
	if _, err := bus.PutTargets(ctx, "", "r", []eventbridge.Target{{Id: "t", Arn: bus.FunctionARN("missing"),
		RetryPolicy: &eventbridge.RetryPolicy{MaximumRetryAttempts: &zero}, DeadLetterConfig: &eventbridge.DeadLetterConfig{Arn: bus.QueueARN("dlq")}}}); err != nil {
		t.Fatal(err)
	}
	start := t0.Add(-time.Minute)
	if _, err := bus.PutEvents(ctx, []eventbridge.PutEventsRequestEntry{{Source: "cli.test", DetailType: "Ping", Detail: `{"correlation_id":"cli-1"}`}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if n, _ := bus.Pending(ctx); n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the delivery did not finish")
		}
		<-time.After(time.Millisecond) // poll the pending count until the deadline
	}
	now.Store(t0.Add(10 * time.Second).UnixNano())

	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"trace", "cli-1", "--endpoint", ep}, []string{"1 events, 2 attempts", "cli.test/Ping", "rules: r", "FAILED", "ResourceNotFoundException", "DLQ"}},
		{[]string{"dlq", "list", "--endpoint", ep}, []string{"dlq", "1"}},
		{[]string{"dlq", "show", "dlq", "--endpoint", ep}, []string{"EXHAUSTED_RETRY_CONDITION", "MaximumRetryAttempts", "RULE_ARN"}},
		{[]string{"dlq", "redrive", "dlq", "--endpoint", ep}, []string{"redrove 1 events"}},
		{[]string{"replay", "--from", start.Format(time.RFC3339), "--to", t0.Add(time.Minute).Format(time.RFC3339), "--rule", "r", "--endpoint", ep}, nil},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args[:2], " "), func(t *testing.T) {
			out, err := runRoot(t, tc.args...)
			if tc.want == nil { // replay: the window's end is in the future, so the bus refuses it
				if err == nil || !strings.Contains(err.Error(), "ValidationException") {
					t.Errorf("replay into the future: %v\n%s", err, out)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	out, err := runRoot(t, "replay", "--from", start.Format(time.RFC3339), "--to", t0.Add(5*time.Second).Format(time.RFC3339), "--rule", "r", "--endpoint", ep)
	if err != nil || !strings.Contains(out, "COMPLETED") {
		t.Errorf("replay: %v\n%s", err, out)
	}
}
