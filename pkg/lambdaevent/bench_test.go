package lambdaevent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/contracts/v1/v1example"

	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
	"github.com/alchemiser/alchemiser/pkg/logging"
)

// BenchmarkInvoke measures decode + dispatch + the full middleware chain on the golden
// SignalGenerated envelope. Each iteration is a new event ID so that idempotency does real work.
func BenchmarkInvoke(b *testing.B) {
	logger := logging.New(io.Discard, slog.LevelInfo)
	m := emf.New(io.Discard, "Bench")
	r := lambdaevent.NewRouter(logger,
		lambdaevent.Recover(), lambdaevent.Logging(logger), lambdaevent.Metrics(m),
		lambdaevent.Timeout(time.Minute), lambdaevent.Idempotency(idempotency.NewMemory(), "bench", time.Minute, time.Now))
	r.Handle(v1.TypeSignalGenerated, func(context.Context, lambdaevent.Message) error { return nil })
	const n = 1024
	payloads := make([][]byte, n)
	for i := range payloads {
		e := v1example.SignalGenerated()
		e.EventID = v1.DeriveID("bench", fmt.Sprint(i))
		payloads[i] = envelope(b, e)
	}
	ctx := context.Background()
	b.SetBytes(int64(len(payloads[0])))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := r.Invoke(ctx, payloads[i%n]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkInvokeBare is BenchmarkInvoke without middleware: decode and dispatch only.
func BenchmarkInvokeBare(b *testing.B) {
	r := lambdaevent.NewRouter(slog.New(slog.DiscardHandler))
	r.Handle(v1.TypeSignalGenerated, func(context.Context, lambdaevent.Message) error { return nil })
	payload := envelope(b, v1example.SignalGenerated())
	ctx := context.Background()
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineUnmarshal is the floor: plain json.Unmarshal of the same envelope into the
// envelope and event types, without validation.
func BenchmarkBaselineUnmarshal(b *testing.B) {
	payload := envelope(b, v1example.SignalGenerated())
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		var env v1.Envelope
		if err := json.Unmarshal(payload, &env); err != nil {
			b.Fatal(err)
		}
		var e v1.SignalGenerated
		if err := json.Unmarshal(env.Detail, &e); err != nil {
			b.Fatal(err)
		}
	}
}
