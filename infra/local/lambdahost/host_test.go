package lambdahost_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
	"github.com/alchemiser/alchemiser/infra/local/lambdahost"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// queueSink records on-failure records.
type queueSink struct {
	mu   sync.Mutex
	got  map[string][][]byte
	sent chan struct{}
}

func newSink() *queueSink {
	return &queueSink{got: map[string][][]byte{}, sent: make(chan struct{}, 100)}
}

func (s *queueSink) SendToQueue(_ context.Context, arn string, body []byte) error {
	s.mu.Lock()
	s.got[arn] = append(s.got[arn], body)
	s.mu.Unlock()
	s.sent <- struct{}{}
	return nil
}

func open(t *testing.T, dir string, sink lambdahost.FailureDestination) *lambdahost.Host {
	t.Helper()
	h, err := lambdahost.Open(context.Background(), lambdahost.Config{Path: filepath.Join(dir, "lambda.db"), RetryBaseDelay: time.Millisecond, Destinations: sink})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestInvoke(t *testing.T) {
	h := open(t, t.TempDir(), nil)
	defer h.Close()
	logger := slog.New(h.LogHandler(slog.NewJSONHandler(io.Discard, nil)))
	if err := h.Register(lambdahost.Function{Name: "echo", Timeout: 50 * time.Millisecond, Handler: func(ctx context.Context, p []byte) ([]byte, error) {
		lc, _ := lambdacontext.FromContext(ctx)
		logger.InfoContext(ctx, "hello", "payload", string(p))
		switch string(p) {
		case `"panic"`:
			panic("boom")
		case `"fail"`:
			return nil, errors.New("bad input")
		case `"hang"`:
			<-ctx.Done()
			return nil, ctx.Err()
		}
		if _, ok := ctx.Deadline(); !ok {
			return nil, errors.New("no deadline")
		}
		return json.Marshal(lc.InvokedFunctionArn)
	}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		payload string
		want    string
		errType string
	}{
		{`"ok"`, `"arn:aws:lambda:us-east-1:000000000000:function:echo"`, ""},
		{`"fail"`, "", "*errors.errorString"},
		{`"panic"`, "", "Panic"},
		{`"hang"`, "", "Timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.payload, func(t *testing.T) {
			out, err := h.Invoke(context.Background(), "echo", []byte(tc.payload))
			if tc.errType == "" {
				if err != nil || string(out) != tc.want {
					t.Fatalf("Invoke = %s, %v; want %s", out, err, tc.want)
				}
				return
			}
			var fe *lambdahost.FunctionError
			if !errors.As(err, &fe) || fe.Type != tc.errType {
				t.Fatalf("Invoke error = %v, want a function error of type %s", err, tc.errType)
			}
		})
	}
	invs := h.Invocations()
	if len(invs) != len(tests) {
		t.Fatalf("invocations = %d, want %d", len(invs), len(tests))
	}
	for _, inv := range invs {
		if !strings.Contains(inv.Logs, `"msg":"hello"`) || !strings.Contains(inv.Logs, inv.RequestID) {
			t.Errorf("invocation %s logs = %q, want its own hello line", inv.RequestID, inv.Logs)
		}
	}
	if _, err := h.Invoke(context.Background(), "nope", nil); !errors.Is(err, lambdahost.ErrUnknownFunction) {
		t.Errorf("unknown function: %v", err)
	}
}

func TestConcurrencyLimitQueues(t *testing.T) {
	h := open(t, t.TempDir(), nil)
	defer h.Close()
	var running, peak atomic.Int32
	release := make(chan struct{})
	if err := h.Register(lambdahost.Function{Name: "one", Concurrency: 1, Handler: func(context.Context, []byte) ([]byte, error) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		<-release
		running.Add(-1)
		return nil, nil
	}}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := h.Invoke(context.Background(), "one", nil); err != nil {
				t.Error(err)
			}
		}()
	}
	for range 5 {
		release <- struct{}{}
	}
	wg.Wait()
	if peak.Load() != 1 {
		t.Errorf("peak concurrency = %d, want 1", peak.Load())
	}
}

func TestAsyncRetriesThenOnFailure(t *testing.T) {
	sink := newSink()
	h := open(t, t.TempDir(), sink)
	defer h.Close()
	var calls atomic.Int32
	dest := "arn:aws:sqs:us-east-1:000000000000:svc-failures"
	if err := h.Register(lambdahost.Function{Name: "svc", OnFailure: dest, Handler: func(context.Context, []byte) ([]byte, error) {
		calls.Add(1)
		return nil, errors.New("upstream 503")
	}}); err != nil {
		t.Fatal(err)
	}
	if err := h.Dispatch(context.Background(), h.ARN("svc"), []byte(`{"id":"e1"}`)); err != nil {
		t.Fatal(err)
	}
	<-sink.sent
	if calls.Load() != 3 {
		t.Errorf("calls = %d, want 3 (1 + 2 retries)", calls.Load())
	}
	var rec lambdahost.FailureRecord
	if err := json.Unmarshal(sink.got[dest][0], &rec); err != nil {
		t.Fatal(err)
	}
	if rec.RequestContext.Condition != lambdahost.ConditionRetriesExhausted || rec.RequestContext.ApproximateInvokeCount != 3 ||
		string(rec.RequestPayload) != `{"id":"e1"}` || !strings.Contains(string(rec.ResponsePayload), "upstream 503") {
		t.Errorf("record = %s", sink.got[dest][0])
	}
}

func TestDispatchUnknownFunction(t *testing.T) {
	h := open(t, t.TempDir(), nil)
	defer h.Close()
	err := h.Dispatch(context.Background(), h.ARN("missing"), []byte(`{}`))
	var te *eventbridge.TargetError
	if !errors.As(err, &te) || te.Code != "ResourceNotFoundException" {
		t.Errorf("Dispatch = %v, want ResourceNotFoundException", err)
	}
}

// TestAsyncEventsSurviveRestart checks that an accepted async event runs after the host is
// reopened on the same state.
func TestAsyncEventsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	h := open(t, dir, nil)
	block := make(chan struct{})
	if err := h.Register(lambdahost.Function{Name: "svc", Handler: func(ctx context.Context, _ []byte) ([]byte, error) {
		select {
		case <-block:
		case <-ctx.Done():
		}
		return nil, ctx.Err()
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.InvokeAsync(context.Background(), "svc", []byte(`"x"`)); err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	h = open(t, dir, nil)
	defer h.Close()
	ran := make(chan string, 1)
	if err := h.Register(lambdahost.Function{Name: "svc", Handler: func(_ context.Context, p []byte) ([]byte, error) {
		ran <- string(p)
		return nil, nil
	}}); err != nil {
		t.Fatal(err)
	}
	if got := <-ran; got != `"x"` {
		t.Errorf("ran %s", got)
	}
}

// TestBusToHost wires the bus and the host: a rule delivers to the function through the host.
func TestBusToHost(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	host := open(t, dir, nil)
	defer host.Close()
	bus, err := eventbridge.Open(ctx, eventbridge.Config{Path: filepath.Join(dir, "bus.db"), Lambda: host})
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	got := make(chan []byte, 1)
	if err := host.Register(lambdahost.Function{Name: "svc", Handler: func(_ context.Context, p []byte) ([]byte, error) {
		got <- p
		return nil, nil
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := bus.PutRule(ctx, eventbridge.PutRuleInput{Name: "r", EventPattern: `{"source":["s"]}`}); err != nil {
		t.Fatal(err)
	}
	if _, err := bus.PutTargets(ctx, "", "r", []eventbridge.Target{{Id: "svc", Arn: host.ARN("svc")}}); err != nil {
		t.Fatal(err)
	}
	res, err := bus.PutEvents(ctx, []eventbridge.PutEventsRequestEntry{{Source: "s", DetailType: "D", Detail: `{"k":1}`}})
	if err != nil || res[0].ErrorCode != "" {
		t.Fatal(err, res)
	}
	if p := <-got; !strings.Contains(string(p), res[0].EventId) {
		t.Errorf("handler got %s", p)
	}
}
