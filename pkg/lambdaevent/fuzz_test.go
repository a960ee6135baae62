package lambdaevent_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/contracts/v1/v1example"

	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
)

// FuzzInvoke checks that the router never panics on arbitrary payloads, and that every failure
// to decode or route is permanent.
func FuzzInvoke(f *testing.F) {
	for _, e := range v1example.All() {
		f.Add(envelope(f, e))
		f.Add(bare(f, e))
	}
	for _, s := range []string{``, `null`, `{}`, `[]`, `{"detail-type":"X","detail":{}}`, `{"detail-type":"StepFailed","source":"x","detail":null}`,
		`{"event_type":"StepFailed","schema_version":"1.999.0"}`, `{"event_type":"StepFailed","schema_version":"01.0.0"}`} {
		f.Add([]byte(s))
	}
	logger := slog.New(slog.DiscardHandler)
	r := lambdaevent.NewRouter(logger, lambdaevent.Recover(), lambdaevent.Logging(logger),
		lambdaevent.Idempotency(idempotency.NewMemory(), "fuzz", time.Minute, time.Now))
	for _, t := range v1.DetailTypes() {
		r.Handle(t, func(_ context.Context, msg lambdaevent.Message) error {
			// Handlers rely on these after a successful decode.
			_ = msg.Event.Meta().EventID
			if msg.Wrapped && msg.Envelope == nil {
				panic("wrapped without envelope")
			}
			return nil
		})
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := r.Invoke(context.Background(), payload)
		if err != nil {
			if out != nil {
				t.Fatalf("output %q with error %v", out, err)
			}
			if !lambdaevent.IsPermanent(err) && err.Error() != "" {
				// Only the handler chain may fail retryably, e.g. an empty event_id claim.
				if _, derr := v1.Decode(payload); derr != nil {
					t.Fatalf("decode failure %v not permanent", err)
				}
			}
			return
		}
		if string(out) != "null" {
			t.Fatalf("output %q", out)
		}
	})
}
