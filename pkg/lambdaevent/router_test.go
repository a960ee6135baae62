package lambdaevent_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/google/go-cmp/cmp"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/contracts/v1/v1example"

	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
)

var _ lambda.Handler = (*lambdaevent.Router)(nil)

func TestRouterDispatches(t *testing.T) {
	logger, _ := newLogger(slog.LevelDebug)
	r := lambdaevent.NewRouter(logger)
	var got []lambdaevent.Message
	var handling []v1.DetailType
	record := func(ctx context.Context, msg lambdaevent.Message) error {
		got = append(got, msg)
		ht, _ := eventbus.Handling(ctx)
		handling = append(handling, ht)
		return nil
	}
	r.Handle(v1.TypeSignalGenerated, record)
	r.Handle(v1.TypeTradeExecuted, record)

	signal, trade := v1example.SignalGenerated(), v1example.TradeExecuted()
	tests := []struct {
		name    string
		payload []byte
		want    v1.DetailType
		wrapped bool
	}{
		{"envelope", envelope(t, signal), v1.TypeSignalGenerated, true},
		{"bare", bare(t, trade), v1.TypeTradeExecuted, false},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := r.Invoke(context.Background(), tc.payload)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			if string(out) != "null" {
				t.Errorf("Invoke returned %q, want null", out)
			}
			msg := got[i]
			if msg.Event.DetailType() != tc.want || msg.Wrapped != tc.wrapped || (msg.Envelope != nil) != tc.wrapped {
				t.Errorf("message %s wrapped=%v envelope=%v; want %s wrapped=%v", msg.Event.DetailType(), msg.Wrapped, msg.Envelope != nil, tc.want, tc.wrapped)
			}
			if string(msg.Raw) != string(tc.payload) {
				t.Errorf("Raw is not the payload")
			}
			if handling[i] != tc.want {
				t.Errorf("context says handling %q, want %q", handling[i], tc.want)
			}
		})
	}
	if want := []v1.DetailType{v1.TypeSignalGenerated, v1.TypeTradeExecuted}; len(r.DetailTypes()) != 2 || r.DetailTypes()[0] != want[0] {
		t.Errorf("DetailTypes() = %v, want %v", r.DetailTypes(), want)
	}
}

func TestRouterThroughLambdaHandler(t *testing.T) {
	r := lambdaevent.NewRouter(slog.New(slog.DiscardHandler))
	var n int
	r.Handle(v1.TypeWorkflowStarted, func(context.Context, lambdaevent.Message) error { n++; return nil })
	h := lambda.NewHandler(r) // not r.Invoke: a func taking []byte gets its payload JSON-decoded
	out, err := h.Invoke(context.Background(), envelope(t, v1example.WorkflowStarted()))
	if err != nil || n != 1 {
		t.Fatalf("Invoke: %q, %v, handler ran %d times", out, err, n)
	}
}

func TestRouterRejects(t *testing.T) {
	newer := strings.Replace(string(bare(t, v1example.StepFailed())), `"schema_version":"1.0.0"`, `"schema_version":"2.0.0"`, 1)
	abc := strings.Replace(string(bare(t, v1example.TradeExecuted())), `"filled_qty":"`, `"filled_qty":"abc`, 1)
	typo := strings.Replace(string(bare(t, v1example.StepFailed())), `"reason":`, `"reasn":"x","reason":`, 1)
	tests := []struct {
		name    string
		payload string
		want    []string // substrings of the error
		is      error
	}{
		{"not JSON", `{"detail-type":`, []string{"not a JSON object"}, v1.ErrInvalid},
		{"array", `[1,2]`, []string{"not a JSON object"}, v1.ErrInvalid},
		{"empty", ``, []string{"not a JSON object"}, v1.ErrInvalid},
		{"no event type", `{"event_id":"x"}`, []string{"event_type", "missing"}, v1.ErrInvalid},
		{"unknown event type", `{"event_type":"Nope"}`, []string{"event_type", "Nope"}, v1.ErrInvalid},
		{"other major", newer, []string{"schema_version 2.0.0", "major version 2"}, v1.ErrUnsupportedVersion},
		{"bad quantity", abc, []string{"filled_qty", "abc"}, v1.ErrInvalid},
		{"unknown field", typo, []string{"reasn", "unknown field"}, v1.ErrInvalid},
		{"no handler", string(envelope(t, v1example.WorkflowCompleted())), []string{"WorkflowCompleted", "no handler"}, lambdaevent.ErrNoHandler},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logger, logs := newLogger(slog.LevelInfo)
			r := lambdaevent.NewRouter(logger, lambdaevent.Logging(logger))
			r.Handle(v1.TypeStepFailed, func(context.Context, lambdaevent.Message) error { t.Error("handler ran"); return nil })
			r.Handle(v1.TypeTradeExecuted, func(context.Context, lambdaevent.Message) error { t.Error("handler ran"); return nil })
			out, err := r.Invoke(context.Background(), []byte(tc.payload))
			if err == nil || out != nil {
				t.Fatalf("Invoke = %q, %v; want nil and an error", out, err)
			}
			if !lambdaevent.IsPermanent(err) {
				t.Errorf("error %v is not permanent", err)
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("error %v does not match %v", err, tc.is)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if n := len(withLevel(logs.records(t), "ERROR")); n != 1 {
				t.Errorf("logged %d errors, want 1", n)
			}
		})
	}
}

func TestRouterUnknownFieldsOfNewerMinor(t *testing.T) {
	payload := strings.Replace(string(bare(t, v1example.StepFailed())), `"schema_version":"1.0.0"`, `"schema_version":"1.3.0","hint":"new"`, 1)
	logger, logs := newLogger(slog.LevelInfo)
	r := lambdaevent.NewRouter(logger, lambdaevent.Logging(logger))
	var msg lambdaevent.Message
	r.Handle(v1.TypeStepFailed, func(_ context.Context, m lambdaevent.Message) error { msg = m; return nil })
	if _, err := r.Invoke(context.Background(), []byte(payload)); err != nil {
		t.Fatal(err)
	}
	if len(msg.UnknownFields) != 1 || msg.UnknownFields[0] != "hint" {
		t.Fatalf("UnknownFields = %v, want [hint]", msg.UnknownFields)
	}
	warns := withLevel(logs.records(t), "WARN")
	if len(warns) != 1 || !strings.Contains(strings.Join(toStrings(warns[0]["unknown_fields"]), ","), "hint") {
		t.Fatalf("warnings %v, want one naming hint", warns)
	}
}

func TestRouterReplayName(t *testing.T) {
	payload := strings.Replace(string(envelope(t, v1example.StepFailed())), `"detail-type"`, `"replay-name":"fix-2026-11","detail-type"`, 1)
	r := lambdaevent.NewRouter(slog.New(slog.DiscardHandler))
	var msg lambdaevent.Message
	r.Handle(v1.TypeStepFailed, func(_ context.Context, m lambdaevent.Message) error { msg = m; return nil })
	if _, err := r.Invoke(context.Background(), []byte(payload)); err != nil {
		t.Fatal(err)
	}
	if msg.ReplayName != "fix-2026-11" {
		t.Fatalf("ReplayName = %q", msg.ReplayName)
	}
}

func TestRouterHandlerErrorLoggedOnceWithoutLoggingMiddleware(t *testing.T) {
	logger, logs := newLogger(slog.LevelInfo)
	r := lambdaevent.NewRouter(logger)
	boom := errors.New("boom")
	r.Handle(v1.TypeStepFailed, func(context.Context, lambdaevent.Message) error { return boom })
	_, err := r.Invoke(context.Background(), envelope(t, v1example.StepFailed()))
	if !errors.Is(err, boom) || lambdaevent.IsPermanent(err) {
		t.Fatalf("got %v, want boom, retryable", err)
	}
	errs := withLevel(logs.records(t), "ERROR")
	if len(errs) != 1 || errs[0]["event_id"] != v1example.StepFailed().EventID {
		t.Fatalf("error records %v, want one with the event_id", errs)
	}
}

func TestHandlePanicsOnProgrammingErrors(t *testing.T) {
	r := lambdaevent.NewRouter(nil)
	for name, f := range map[string]func(){
		"unknown type": func() { r.Handle("Nope", func(context.Context, lambdaevent.Message) error { return nil }) },
		"nil handler":  func() { r.Handle(v1.TypeStepFailed, nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}

func TestPermanent(t *testing.T) {
	base := errors.New("x")
	p := lambdaevent.Permanent(base)
	if !lambdaevent.IsPermanent(p) || !errors.Is(p, base) || lambdaevent.Permanent(p) != p {
		t.Fatalf("Permanent(%v) = %v", base, p)
	}
	if lambdaevent.Permanent(nil) != nil || lambdaevent.IsPermanent(base) || lambdaevent.IsPermanent(nil) {
		t.Fatal("nil or unmarked error reported permanent")
	}
	if wrapped := errors.Join(errors.New("y"), p); !lambdaevent.IsPermanent(wrapped) {
		t.Fatal("wrapped permanent error not found")
	}
}

func toStrings(v any) []string {
	arr, _ := v.([]any)
	out := make([]string, len(arr))
	for i, a := range arr {
		out[i], _ = a.(string)
	}
	return out
}

func TestRouterRecoversWithoutMiddleware(t *testing.T) {
	logger, logs := newLogger(slog.LevelInfo)
	r := lambdaevent.NewRouter(logger)
	r.Handle(v1.TypeStepFailed, func(context.Context, lambdaevent.Message) error { panic("bug") })
	_, err := r.Invoke(context.Background(), envelope(t, v1example.StepFailed()))
	var pe *lambdaevent.PanicError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want a PanicError", err)
	}
	if errs := withLevel(logs.records(t), "ERROR"); len(errs) != 1 || errs[0]["stack"] == nil {
		t.Fatalf("error records %v, want one with the stack", errs)
	}
}

// TestRouterEveryEventType feeds every contract event, bare and wrapped, through
// lambda.NewHandler and checks it reaches the handler of its type as the same event.
func TestRouterEveryEventType(t *testing.T) {
	r := lambdaevent.NewRouter(slog.New(slog.DiscardHandler), lambdaevent.Standard(lambdaevent.Options{Timeout: time.Minute})...)
	got := map[v1.DetailType]v1.Event{}
	for _, dt := range v1.DetailTypes() {
		r.Handle(dt, func(_ context.Context, msg lambdaevent.Message) error {
			got[dt] = msg.Event
			return nil
		})
	}
	h := lambda.NewHandler(r)
	for _, e := range v1example.All() {
		for _, payload := range [][]byte{bare(t, e), envelope(t, e)} {
			clear(got)
			if _, err := h.Invoke(context.Background(), payload); err != nil {
				t.Fatalf("%s: %v", e.DetailType(), err)
			}
			if diff := cmp.Diff(e, got[e.DetailType()]); diff != "" {
				t.Fatalf("%s reached its handler changed (-sent +received):\n%s", e.DetailType(), diff)
			}
		}
	}
}
