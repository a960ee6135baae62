package lambdaevent_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/contracts/v1/v1example"

	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
)

func TestMetrics(t *testing.T) {
	var out bytes.Buffer
	m := emf.New(&out, "Alchemiser", emf.WithClock(func() time.Time { return at }),
		emf.WithDimensions(emf.Dimension{Name: "Service", Value: "portfolio"}))
	clock := at
	now := func() time.Time { clock = clock.Add(250 * time.Millisecond); return clock }
	r := lambdaevent.NewRouter(slog.New(slog.DiscardHandler), lambdaevent.MetricsWithClock(m, now))
	fail := true
	r.Handle(v1.TypeSignalGenerated, func(context.Context, lambdaevent.Message) error {
		if fail {
			return errors.New("x")
		}
		return nil
	})
	payload := envelope(t, v1example.SignalGenerated())
	if _, err := r.Invoke(context.Background(), payload); err == nil {
		t.Fatal("no error")
	}
	fail = false
	if _, err := r.Invoke(context.Background(), payload); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d EMF lines, want one per invocation:\n%s", len(lines), out.String())
	}
	for i, wantErrors := range []float64{1, 0} {
		var doc map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &doc); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"Service": "portfolio", "DetailType": "SignalGenerated", "Invocations": 1.0, "Errors": wantErrors, "Duration": 250.0}
		for k, v := range want {
			if doc[k] != v {
				t.Errorf("line %d: %s = %v, want %v", i, k, doc[k], v)
			}
		}
	}
}

func TestMetricsNilRecorder(t *testing.T) {
	h := lambdaevent.Metrics(nil)(func(context.Context, lambdaevent.Message) error { return nil })
	if err := h(context.Background(), lambdaevent.Message{Event: v1example.StepFailed()}); err != nil {
		t.Fatal(err)
	}
}

func TestMetricsFromCarriesTheRecorder(t *testing.T) {
	var buf bytes.Buffer
	rec := emf.New(&buf, "Test")
	var got *emf.Recorder
	h := lambdaevent.Metrics(rec)(func(ctx context.Context, msg lambdaevent.Message) error {
		got = lambdaevent.MetricsFrom(ctx)
		got.Put("AccountEquity", 100000, emf.None)
		return nil
	})
	if err := h(context.Background(), lambdaevent.Message{Event: v1example.RebalancePlanned()}); err != nil {
		t.Fatal(err)
	}
	if got != rec {
		t.Fatal("the handler did not get the middleware's recorder")
	}
	if !strings.Contains(buf.String(), `"AccountEquity":100000`) {
		t.Fatalf("business metric not flushed with the invocation's: %s", buf.String())
	}
	if lambdaevent.MetricsFrom(context.Background()) != nil {
		t.Fatal("a recorder outside an invocation")
	}
}
