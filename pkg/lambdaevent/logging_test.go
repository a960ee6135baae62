package lambdaevent_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/contracts/v1/v1example"

	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
)

func TestLoggingAttachesIDsToEveryLine(t *testing.T) {
	logger, logs := newLogger(slog.LevelDebug)
	r := lambdaevent.NewRouter(logger, lambdaevent.Logging(logger))
	fail := errors.New("broker down")
	r.Handle(v1.TypeTradeExecuted, func(ctx context.Context, _ lambdaevent.Message) error {
		logger.InfoContext(ctx, "from the handler")
		lambdaevent.LoggerFrom(ctx).InfoContext(ctx, "from the context's logger")
		return fail
	})
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})
	e := v1example.TradeExecuted()
	if _, err := r.Invoke(ctx, envelope(t, e)); !errors.Is(err, fail) {
		t.Fatalf("got %v, want the handler's error", err)
	}
	recs := logs.records(t)
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3: %v", len(recs), recs)
	}
	for _, rec := range recs {
		for k, want := range map[string]string{
			"correlation_id": e.CorrelationID, "event_id": e.EventID,
			"detail_type": string(v1.TypeTradeExecuted), "aws_request_id": "req-1",
		} {
			if rec[k] != want {
				t.Errorf("record %q: %s = %v, want %q", rec["msg"], k, rec[k], want)
			}
		}
	}
	errs := withLevel(recs, "ERROR")
	if len(errs) != 1 || errs[0]["error"] != "broker down" || errs[0]["permanent"] != false {
		t.Fatalf("error records %v, want one with error and permanent=false", errs)
	}
}

func TestLoggingSuccessIsDebug(t *testing.T) {
	logger, logs := newLogger(slog.LevelDebug)
	r := lambdaevent.NewRouter(logger, lambdaevent.Logging(logger))
	r.Handle(v1.TypeStepFailed, func(context.Context, lambdaevent.Message) error { return nil })
	if _, err := r.Invoke(context.Background(), envelope(t, v1example.StepFailed())); err != nil {
		t.Fatal(err)
	}
	recs := logs.records(t)
	if len(recs) != 1 || recs[0]["level"] != "DEBUG" || recs[0]["duration"] == nil {
		t.Fatalf("records %v, want one debug line with a duration", recs)
	}
}

func TestLoggingReplay(t *testing.T) {
	logger, logs := newLogger(slog.LevelInfo)
	r := lambdaevent.NewRouter(logger, lambdaevent.Logging(logger))
	r.Handle(v1.TypeStepFailed, func(ctx context.Context, _ lambdaevent.Message) error {
		logger.InfoContext(ctx, "inside")
		return nil
	})
	payload := strings.Replace(string(envelope(t, v1example.StepFailed())), `"detail-type"`, `"replay-name":"r7","detail-type"`, 1)
	if _, err := r.Invoke(context.Background(), []byte(payload)); err != nil {
		t.Fatal(err)
	}
	recs := logs.records(t)
	if len(recs) != 2 || recs[0]["replay_name"] != "r7" || recs[1]["replay_name"] != "r7" {
		t.Fatalf("records %v, want a replay line and the handler's line, both naming the replay", recs)
	}
}
