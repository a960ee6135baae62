// Package logging builds the JSON log/slog logger that every Alchemiser process uses and carries
// per-invocation attributes (correlation_id, event_id, the Lambda request ID) in a context, so
// that every line logged with a ...Context call during an invocation names the event it is about.
//
// Build the logger once in main with New and inject it; attach attributes at the edge of an
// invocation with ContextWith (pkg/lambdaevent's Logging middleware does this). In Lambda the
// request ID of the invocation (from lambdacontext) is added to every line logged with its
// context, as aws_request_id.
package logging

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// Attribute keys attached by the handler runtime. Use them instead of string literals so that a
// query over the logs finds every line.
const (
	KeyCorrelationID = "correlation_id"
	KeyEventID       = "event_id"
	KeyDetailType    = "detail_type"
	KeyRequestID     = "aws_request_id"
	KeyReplayName    = "replay_name"
)

// New returns a JSON logger writing to w at the given level. Its handler adds the attributes
// stored in the context by ContextWith to every record logged with a ...Context method.
func New(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(NewContextHandler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})))
}

// ParseLevel reads a level name such as "debug", "info", "warn" or "error" (any case). The empty
// string is info.
func ParseLevel(s string) (slog.Level, error) {
	if strings.TrimSpace(s) == "" {
		return slog.LevelInfo, nil
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
		return 0, fmt.Errorf("parse log level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

type ctxKey struct{}

// ContextWith returns a copy of ctx that carries attrs in addition to any already attached.
// A later attribute with the same key replaces an earlier one.
func ContextWith(ctx context.Context, attrs ...slog.Attr) context.Context {
	if len(attrs) == 0 {
		return ctx
	}
	prev := Attrs(ctx)
	merged := make([]slog.Attr, 0, len(prev)+len(attrs))
	for _, a := range prev {
		if !hasKey(attrs, a.Key) {
			merged = append(merged, a)
		}
	}
	merged = append(merged, attrs...)
	return context.WithValue(ctx, ctxKey{}, merged)
}

func hasKey(attrs []slog.Attr, key string) bool {
	for _, a := range attrs {
		if a.Key == key {
			return true
		}
	}
	return false
}

// Attrs returns the attributes attached to ctx by ContextWith, oldest first. The caller must not
// modify the returned slice.
func Attrs(ctx context.Context) []slog.Attr {
	if ctx == nil {
		return nil
	}
	a, _ := ctx.Value(ctxKey{}).([]slog.Attr)
	return a
}

// ContextHandler is a slog.Handler that adds the context's attributes (see ContextWith) to each
// record before passing it on.
type ContextHandler struct {
	next slog.Handler
}

var _ slog.Handler = (*ContextHandler)(nil)

// NewContextHandler wraps next so that records carry the attributes attached to their context.
func NewContextHandler(next slog.Handler) *ContextHandler { return &ContextHandler{next: next} }

// Enabled reports whether the wrapped handler handles records at level l.
func (h *ContextHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// Handle adds the context's attributes to r, and the Lambda request ID when ctx is an
// invocation's context, and passes r to the wrapped handler.
func (h *ContextHandler) Handle(ctx context.Context, r slog.Record) error {
	attrs := Attrs(ctx)
	lc, inLambda := lambdacontext.FromContext(ctx)
	inLambda = inLambda && lc.AwsRequestID != "" && !hasKey(attrs, KeyRequestID)
	if len(attrs) > 0 || inLambda {
		r = r.Clone()
		r.AddAttrs(attrs...)
		if inLambda {
			r.AddAttrs(slog.String(KeyRequestID, lc.AwsRequestID))
		}
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs returns a ContextHandler whose wrapped handler has the extra attributes.
func (h *ContextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &ContextHandler{next: h.next.WithAttrs(attrs)}
}

// WithGroup returns a ContextHandler whose wrapped handler opens the group.
func (h *ContextHandler) WithGroup(name string) slog.Handler {
	return &ContextHandler{next: h.next.WithGroup(name)}
}

// Discard returns a logger that writes nothing, for tests and benchmarks.
func Discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
