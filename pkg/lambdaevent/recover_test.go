package lambdaevent_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/contracts/v1/v1example"

	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
)

func TestRecover(t *testing.T) {
	sentinel := errors.New("sentinel")
	tests := []struct {
		name    string
		value   any
		wantMsg string
		is      error
	}{
		{"string", "kaboom", "panic: kaboom", nil},
		{"error", sentinel, "panic: sentinel", sentinel},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logger, logs := newLogger(slog.LevelInfo)
			r := lambdaevent.NewRouter(logger, lambdaevent.Logging(logger), lambdaevent.Recover())
			r.Handle(v1.TypeStepFailed, func(context.Context, lambdaevent.Message) error { panic(tc.value) })
			_, err := r.Invoke(context.Background(), envelope(t, v1example.StepFailed()))
			var pe *lambdaevent.PanicError
			if !errors.As(err, &pe) || err.Error() != tc.wantMsg {
				t.Fatalf("got %v, want a PanicError %q", err, tc.wantMsg)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%v does not wrap the panic's error", err)
			}
			if lambdaevent.IsPermanent(err) {
				t.Errorf("a panic is retryable")
			}
			errs := withLevel(logs.records(t), "ERROR")
			if len(errs) != 1 {
				t.Fatalf("logged %d errors, want 1", len(errs))
			}
			stack, _ := errs[0]["stack"].(string)
			if !strings.Contains(stack, "recover_test.go") {
				t.Errorf("logged stack does not show the panicking frame:\n%s", stack)
			}
		})
	}
}

func TestRecoverOutermost(t *testing.T) {
	// With Recover outside Logging, the Router logs the panic once, with the stack.
	logger, logs := newLogger(slog.LevelInfo)
	r := lambdaevent.NewRouter(logger, lambdaevent.Recover(), lambdaevent.Logging(logger))
	r.Handle(v1.TypeStepFailed, func(context.Context, lambdaevent.Message) error { panic("x") })
	if _, err := r.Invoke(context.Background(), envelope(t, v1example.StepFailed())); err == nil {
		t.Fatal("no error")
	}
	errs := withLevel(logs.records(t), "ERROR")
	if len(errs) != 1 || errs[0]["stack"] == nil {
		t.Fatalf("error records %v, want one with a stack", errs)
	}
}
