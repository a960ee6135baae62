package lambdaevent_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/contracts/v1/v1example"

	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
)

func TestStandard(t *testing.T) {
	logger, logs := newLogger(slog.LevelInfo)
	var metrics bytes.Buffer
	r := lambdaevent.NewRouter(logger, lambdaevent.Standard(lambdaevent.Options{
		Logger: logger, Metrics: emf.New(&metrics, "NS"), Timeout: time.Minute,
		Store: idempotency.NewMemory(), Consumer: "notifier",
	})...)
	runs := 0
	r.Handle(v1.TypeTradingNotificationRequested, func(ctx context.Context, _ lambdaevent.Message) error {
		runs++
		if _, ok := ctx.Deadline(); !ok {
			t.Error("no deadline")
		}
		panic("bug")
	})
	payload := envelope(t, v1example.TradingNotificationRequested())
	for range 2 {
		if _, err := r.Invoke(context.Background(), payload); err == nil {
			t.Fatal("no error")
		}
	}
	if runs != 2 {
		t.Errorf("handler ran %d times, want 2 (a failed claim is released)", runs)
	}
	errs := withLevel(logs.records(t), "ERROR")
	if len(errs) != 2 {
		t.Fatalf("%d errors logged, want 2 (one per invocation)", len(errs))
	}
	if stack, _ := errs[0]["stack"].(string); !strings.Contains(stack, "standard_test.go") {
		t.Errorf("logged stack does not reach the panicking handler:\n%s", stack)
	}
	if metrics.Len() == 0 {
		t.Error("no metrics written")
	}
}
