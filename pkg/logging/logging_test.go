package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/alchemiser/alchemiser/pkg/logging"
)

func decode(t *testing.T, b *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestContextAttrsOnEveryLine(t *testing.T) {
	var buf bytes.Buffer
	logger := logging.New(&buf, slog.LevelInfo)
	ctx := logging.ContextWith(context.Background(), slog.String(logging.KeyCorrelationID, "c1"), slog.String(logging.KeyEventID, "e1"))
	ctx = logging.ContextWith(ctx, slog.String(logging.KeyEventID, "e2")) // replaces e1
	logger.InfoContext(ctx, "one", slog.Int("n", 1))
	logger.With(slog.String("svc", "portfolio")).WarnContext(ctx, "two")
	logger.Info("no context")
	logger.DebugContext(ctx, "below level")
	recs := decode(t, &buf)
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3", len(recs))
	}
	for _, r := range recs[:2] {
		if r["correlation_id"] != "c1" || r["event_id"] != "e2" {
			t.Errorf("record %v lacks the context's attributes", r)
		}
	}
	if recs[1]["svc"] != "portfolio" {
		t.Errorf("With attributes lost: %v", recs[1])
	}
	if _, ok := recs[2]["event_id"]; ok {
		t.Errorf("record without context has event_id: %v", recs[2])
	}
	if got := logging.Attrs(context.Background()); got != nil {
		t.Errorf("Attrs of an empty context = %v", got)
	}
}

func TestContextWithDoesNotLeakBetweenBranches(t *testing.T) {
	base := logging.ContextWith(context.Background(), slog.String("a", "1"))
	x := logging.ContextWith(base, slog.String("b", "x"))
	y := logging.ContextWith(base, slog.String("b", "y"))
	if len(logging.Attrs(base)) != 1 || logging.Attrs(x)[1].Value.String() != "x" || logging.Attrs(y)[1].Value.String() != "y" {
		t.Fatalf("branches share attributes: base %v x %v y %v", logging.Attrs(base), logging.Attrs(x), logging.Attrs(y))
	}
}

func TestGroup(t *testing.T) {
	var buf bytes.Buffer
	logger := logging.New(&buf, slog.LevelInfo).WithGroup("g")
	ctx := logging.ContextWith(context.Background(), slog.String("k", "v"))
	logger.InfoContext(ctx, "m", slog.Int("n", 1))
	if !strings.Contains(buf.String(), `"g":{`) {
		t.Fatalf("group missing: %s", buf.String())
	}
}

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in      string
		want    slog.Level
		wantErr bool
	}{
		{"", slog.LevelInfo, false},
		{"debug", slog.LevelDebug, false},
		{"WARN", slog.LevelWarn, false},
		{" error ", slog.LevelError, false},
		{"loud", 0, true},
	}
	for _, tc := range tests {
		got, err := logging.ParseLevel(tc.in)
		if (err != nil) != tc.wantErr || (!tc.wantErr && got != tc.want) {
			t.Errorf("ParseLevel(%q) = %v, %v", tc.in, got, err)
		}
		if tc.wantErr && !strings.Contains(err.Error(), tc.in) {
			t.Errorf("error %q does not name the input", err)
		}
	}
}

func BenchmarkInfoContext(b *testing.B) {
	var buf bytes.Buffer
	logger := logging.New(&buf, slog.LevelInfo)
	ctx := logging.ContextWith(context.Background(), slog.String(logging.KeyCorrelationID, "c1"), slog.String(logging.KeyEventID, "e1"))
	b.ReportAllocs()
	for b.Loop() {
		logger.InfoContext(ctx, "handled", slog.Int("n", 1))
		buf.Reset()
	}
}

func TestLambdaRequestID(t *testing.T) {
	var buf bytes.Buffer
	logger := logging.New(&buf, slog.LevelInfo)
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-9"})
	logger.InfoContext(ctx, "bare lambda context")
	logger.InfoContext(logging.ContextWith(ctx, slog.String(logging.KeyRequestID, "explicit")), "explicit wins")
	recs := decode(t, &buf)
	if recs[0]["aws_request_id"] != "req-9" || recs[1]["aws_request_id"] != "explicit" {
		t.Fatalf("records %v", recs)
	}
	if strings.Count(buf.String(), "aws_request_id") != 2 {
		t.Fatalf("request ID repeated: %s", buf.String())
	}
}
