package lambdaevent_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/contracts/v1/v1example"

	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
)

func fixedClock() func() time.Time { return func() time.Time { return at } }

func TestIdempotencyRunsOnce(t *testing.T) {
	store := idempotency.NewMemory()
	r := lambdaevent.NewRouter(slog.New(slog.DiscardHandler), lambdaevent.Idempotency(store, "portfolio", time.Minute, fixedClock()))
	runs := 0
	r.Handle(v1.TypeSignalGenerated, func(context.Context, lambdaevent.Message) error { runs++; return nil })
	payload := envelope(t, v1example.SignalGenerated())
	for i := range 3 {
		if _, err := r.Invoke(context.Background(), payload); err != nil {
			t.Fatalf("delivery %d: %v", i, err)
		}
	}
	if runs != 1 {
		t.Fatalf("handler ran %d times for 3 deliveries, want 1", runs)
	}
	// Another consumer of the same event runs on its own.
	r2 := lambdaevent.NewRouter(slog.New(slog.DiscardHandler), lambdaevent.Idempotency(store, "notifier", time.Minute, fixedClock()))
	r2.Handle(v1.TypeSignalGenerated, func(context.Context, lambdaevent.Message) error { runs++; return nil })
	if _, err := r2.Invoke(context.Background(), payload); err != nil || runs != 2 {
		t.Fatalf("other consumer: %v, runs %d; want it to run", err, runs)
	}
}

func TestIdempotencyReleasesOnError(t *testing.T) {
	store := idempotency.NewMemory()
	r := lambdaevent.NewRouter(slog.New(slog.DiscardHandler), lambdaevent.Idempotency(store, "c", time.Minute, fixedClock()))
	fail := errors.New("429")
	calls := 0
	r.Handle(v1.TypeSignalGenerated, func(context.Context, lambdaevent.Message) error {
		calls++
		if calls == 1 {
			return fail
		}
		return nil
	})
	payload := envelope(t, v1example.SignalGenerated())
	if _, err := r.Invoke(context.Background(), payload); !errors.Is(err, fail) {
		t.Fatalf("first delivery: got %v, want the handler's error", err)
	}
	if _, err := r.Invoke(context.Background(), payload); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if calls != 2 {
		t.Fatalf("handler ran %d times, want 2 (failure, then the retry)", calls)
	}
}

// TestIdempotencyConcurrentDeliveries runs a second delivery while the first is inside the
// handler: the second must not run the handler and must be retryable.
func TestIdempotencyConcurrentDeliveries(t *testing.T) {
	for name, store := range map[string]idempotency.Store{"memory": idempotency.NewMemory(), "sqlite": newSQLiteStore(t)} {
		t.Run(name, func(t *testing.T) {
			r := lambdaevent.NewRouter(slog.New(slog.DiscardHandler), lambdaevent.Idempotency(store, "c", time.Minute, fixedClock()))
			entered, release := make(chan struct{}), make(chan struct{})
			runs := 0
			r.Handle(v1.TypeSignalGenerated, func(context.Context, lambdaevent.Message) error {
				runs++
				close(entered)
				<-release
				return nil
			})
			payload := envelope(t, v1example.SignalGenerated())
			first := make(chan error, 1)
			go func() { _, err := r.Invoke(context.Background(), payload); first <- err }()
			<-entered
			_, err := r.Invoke(context.Background(), payload)
			if !errors.Is(err, lambdaevent.ErrInProgress) || lambdaevent.IsPermanent(err) {
				t.Fatalf("second delivery: got %v, want a retryable ErrInProgress", err)
			}
			close(release)
			if err := <-first; err != nil {
				t.Fatalf("first delivery: %v", err)
			}
			if _, err := r.Invoke(context.Background(), payload); err != nil {
				t.Fatalf("delivery after completion: %v, want a no-op", err)
			}
			if runs != 1 {
				t.Fatalf("handler ran %d times, want 1", runs)
			}
		})
	}
}

func TestIdempotencyExpiredLeaseIsTakenOver(t *testing.T) {
	store := idempotency.NewMemory()
	clock := at
	now := func() time.Time { return clock }
	r := lambdaevent.NewRouter(slog.New(slog.DiscardHandler), lambdaevent.Idempotency(store, "c", time.Minute, now))
	runs := 0
	r.Handle(v1.TypeSignalGenerated, func(context.Context, lambdaevent.Message) error { runs++; return nil })
	e := v1example.SignalGenerated()
	// A delivery that crashed while holding the claim.
	if _, err := store.Claim(context.Background(), lambdaevent.Key("c", lambdaevent.Message{Event: e}), "crashed", at, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Invoke(context.Background(), envelope(t, e)); !errors.Is(err, lambdaevent.ErrInProgress) {
		t.Fatalf("during the lease: got %v, want ErrInProgress", err)
	}
	clock = at.Add(time.Minute)
	if _, err := r.Invoke(context.Background(), envelope(t, e)); err != nil || runs != 1 {
		t.Fatalf("after the lease: %v, runs %d; want the handler to run", err, runs)
	}
}

func TestIdempotencyReplayRunsAgain(t *testing.T) {
	store := idempotency.NewMemory()
	r := lambdaevent.NewRouter(slog.New(slog.DiscardHandler), lambdaevent.Idempotency(store, "c", time.Minute, fixedClock()))
	runs := 0
	r.Handle(v1.TypeStepFailed, func(context.Context, lambdaevent.Message) error { runs++; return nil })
	payload := envelope(t, v1example.StepFailed())
	replay := []byte(strings.Replace(string(payload), `"detail-type"`, `"replay-name":"r1","detail-type"`, 1))
	for _, p := range [][]byte{payload, replay, replay, payload} {
		if _, err := r.Invoke(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	if runs != 2 {
		t.Fatalf("handler ran %d times, want 2 (original once, replay once)", runs)
	}
}

func TestIdempotencyStoreFailureIsRetryable(t *testing.T) {
	h := lambdaevent.Idempotency(failingStore{}, "c", time.Minute, fixedClock())(func(context.Context, lambdaevent.Message) error {
		t.Error("handler ran")
		return nil
	})
	err := h(context.Background(), lambdaevent.Message{Event: v1example.StepFailed()})
	if err == nil || lambdaevent.IsPermanent(err) {
		t.Fatalf("got %v, want a retryable error", err)
	}
}

type failingStore struct{ *idempotency.Memory }

func (failingStore) Claim(context.Context, string, string, time.Time, time.Duration) (idempotency.ClaimResult, error) {
	return 0, errors.New("store down")
}

func TestIdempotencyPanicsOnMisconfiguration(t *testing.T) {
	for name, f := range map[string]func(){
		"nil store":      func() { lambdaevent.Idempotency(nil, "c", time.Minute, nil) },
		"empty consumer": func() { lambdaevent.Idempotency(idempotency.NewMemory(), "", time.Minute, nil) },
		"zero lease":     func() { lambdaevent.Idempotency(idempotency.NewMemory(), "c", 0, nil) },
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

// TestIdempotencyLeaseFollowsTheDeadline checks that a claim made under a deadline lapses with
// the invocation (plus the margin), so a delivery that died with its process does not block
// the event for the whole configured lease.
func TestIdempotencyLeaseFollowsTheDeadline(t *testing.T) {
	store := idempotency.NewMemory()
	t0 := time.Now()
	clock := t0
	mw := lambdaevent.Idempotency(store, "svc", time.Hour, func() time.Time { return clock })
	block := make(chan struct{})
	started := make(chan struct{})
	h := mw(func(ctx context.Context, msg lambdaevent.Message) error {
		close(started)
		<-block
		return nil
	})
	msg := lambdaevent.Message{Event: v1example.SignalGenerated()}
	ctx, cancel := context.WithDeadline(context.Background(), t0.Add(10*time.Second))
	defer cancel()
	go func() { _ = h(ctx, msg) }()
	<-started
	key := lambdaevent.Key("svc", msg)
	// Within the invocation's time the claim holds...
	if res, _ := store.Claim(context.Background(), key, "other", t0.Add(14*time.Second), time.Minute); res != idempotency.InProgress {
		t.Fatalf("claim during the invocation: %v, want in progress", res)
	}
	// ...and after its deadline plus the margin, a retry takes it over, long before an hour.
	if res, _ := store.Claim(context.Background(), key, "retry", t0.Add(16*time.Second), time.Minute); res != idempotency.Acquired {
		t.Fatalf("claim after the deadline: %v, want acquired", res)
	}
	close(block)
}
