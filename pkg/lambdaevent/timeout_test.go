package lambdaevent_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/contracts/v1/v1example"

	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
)

func TestTimeout(t *testing.T) {
	msg := lambdaevent.Message{Event: v1example.StepFailed()}
	t.Run("deadline set", func(t *testing.T) {
		var deadline time.Time
		var ok bool
		h := lambdaevent.Timeout(time.Hour)(func(ctx context.Context, _ lambdaevent.Message) error {
			deadline, ok = ctx.Deadline()
			return nil
		})
		before := time.Now()
		if err := h(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
		if !ok || deadline.Before(before.Add(time.Hour)) {
			t.Fatalf("deadline %v (set %v), want about an hour from now", deadline, ok)
		}
	})
	t.Run("earlier parent deadline wins, less the margin", func(t *testing.T) {
		parent, cancel := context.WithDeadline(context.Background(), time.Now().Add(time.Minute))
		defer cancel()
		pd, _ := parent.Deadline()
		want := pd.Add(-lambdaevent.DeadlineMargin)
		h := lambdaevent.Timeout(time.Hour)(func(ctx context.Context, _ lambdaevent.Message) error {
			if got, _ := ctx.Deadline(); !got.Equal(want) {
				t.Errorf("deadline %v, want the parent's less the margin, %v", got, want)
			}
			return nil
		})
		if err := h(parent, msg); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("parent nearly done keeps its deadline", func(t *testing.T) {
		parent, cancel := context.WithDeadline(context.Background(), time.Now().Add(lambdaevent.DeadlineMargin/2))
		defer cancel()
		want, _ := parent.Deadline()
		h := lambdaevent.Timeout(time.Hour)(func(ctx context.Context, _ lambdaevent.Message) error {
			if got, _ := ctx.Deadline(); !got.Equal(want) {
				t.Errorf("deadline %v, want the parent's %v", got, want)
			}
			return nil
		})
		if err := h(parent, msg); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("expiry names the timeout", func(t *testing.T) {
		h := lambdaevent.Timeout(time.Nanosecond)(func(ctx context.Context, _ lambdaevent.Message) error {
			<-ctx.Done()
			return ctx.Err()
		})
		err := h(context.Background(), msg)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "handler timeout 1ns") {
			t.Fatalf("got %v, want DeadlineExceeded naming the timeout", err)
		}
		if lambdaevent.IsPermanent(err) {
			t.Error("a timeout is retryable")
		}
	})
	t.Run("zero without a parent deadline sets none", func(t *testing.T) {
		h := lambdaevent.Timeout(0)(func(ctx context.Context, _ lambdaevent.Message) error {
			if _, ok := ctx.Deadline(); ok {
				t.Error("deadline set")
			}
			return nil
		})
		if err := h(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("zero keeps the margin before the parent's deadline", func(t *testing.T) {
		parent, cancel := context.WithDeadline(context.Background(), time.Now().Add(time.Minute))
		defer cancel()
		pd, _ := parent.Deadline()
		h := lambdaevent.Timeout(0)(func(ctx context.Context, _ lambdaevent.Message) error {
			if got, _ := ctx.Deadline(); !got.Equal(pd.Add(-lambdaevent.DeadlineMargin)) {
				t.Errorf("deadline %v, want %v", got, pd.Add(-lambdaevent.DeadlineMargin))
			}
			return nil
		})
		if err := h(parent, msg); err != nil {
			t.Fatal(err)
		}
	})
}
