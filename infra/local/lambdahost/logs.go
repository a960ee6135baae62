package lambdahost

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

type invocationLog struct {
	mu  sync.Mutex
	inv Invocation
	buf bytes.Buffer
}

func (l *invocationLog) write(s string) {
	l.mu.Lock()
	l.buf.WriteString(s)
	if len(s) > 0 && s[len(s)-1] != '\n' {
		l.buf.WriteByte('\n')
	}
	l.mu.Unlock()
}

// logStore keeps the logs of running invocations and of the last keep finished ones.
type logStore struct {
	mu      sync.Mutex
	keep    int
	running map[string]*invocationLog
	done    []*invocationLog
}

func newLogStore(keep int) *logStore {
	return &logStore{keep: keep, running: map[string]*invocationLog{}}
}

func (s *logStore) begin(requestID, fn string, async bool, attempt int, now time.Time) *invocationLog {
	l := &invocationLog{inv: Invocation{RequestID: requestID, Function: fn, Async: async, Attempt: attempt, Start: now}}
	s.mu.Lock()
	s.running[requestID] = l
	s.mu.Unlock()
	return l
}

func (s *logStore) end(l *invocationLog, d time.Duration, err error) {
	l.mu.Lock()
	l.inv.Duration = d
	if err != nil {
		l.inv.Error = err.Error()
	}
	l.mu.Unlock()
	s.mu.Lock()
	delete(s.running, l.inv.RequestID)
	s.done = append(s.done, l)
	if len(s.done) > s.keep {
		s.done = append(s.done[:0:0], s.done[len(s.done)-s.keep:]...)
	}
	s.mu.Unlock()
}

func (s *logStore) find(requestID string) *invocationLog {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.running[requestID]; l != nil {
		return l
	}
	for i := len(s.done) - 1; i >= 0; i-- {
		if s.done[i].inv.RequestID == requestID {
			return s.done[i]
		}
	}
	return nil
}

func (s *logStore) get(requestID string) (string, bool) {
	l := s.find(requestID)
	if l == nil {
		return "", false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String(), true
}

func (s *logStore) list() []Invocation {
	s.mu.Lock()
	done := append([]*invocationLog(nil), s.done...)
	s.mu.Unlock()
	out := make([]Invocation, 0, len(done))
	for _, l := range done {
		l.mu.Lock()
		inv := l.inv
		inv.Logs = l.buf.String()
		l.mu.Unlock()
		out = append(out, inv)
	}
	return out
}

// LogHandler wraps next so that every record logged with an invocation's context (the context
// a handler receives) is also captured in that invocation's logs. Build each function's logger
// with it: slog.New(host.LogHandler(slog.NewJSONHandler(os.Stderr, nil))).
func (h *Host) LogHandler(next slog.Handler) slog.Handler {
	return &captureHandler{store: h.logs, next: next}
}

type handlerOp struct {
	group string
	attrs []slog.Attr
}

type captureHandler struct {
	store *logStore
	next  slog.Handler
	ops   []handlerOp
}

func (c *captureHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelDebug || c.next.Enabled(ctx, l)
}

func (c *captureHandler) Handle(ctx context.Context, r slog.Record) error {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		if l := c.store.find(lc.AwsRequestID); l != nil {
			var buf bytes.Buffer
			var jh slog.Handler = slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})
			for _, op := range c.ops {
				if op.group != "" {
					jh = jh.WithGroup(op.group)
				} else {
					jh = jh.WithAttrs(op.attrs)
				}
			}
			rr := r.Clone()
			rr.AddAttrs(slog.String("request_id", lc.AwsRequestID))
			_ = jh.Handle(ctx, rr)
			l.write(buf.String())
		}
	}
	if c.next.Enabled(ctx, r.Level) {
		return c.next.Handle(ctx, r)
	}
	return nil
}

func (c *captureHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &captureHandler{store: c.store, next: c.next.WithAttrs(attrs), ops: append(append([]handlerOp{}, c.ops...), handlerOp{attrs: attrs})}
}

func (c *captureHandler) WithGroup(name string) slog.Handler {
	return &captureHandler{store: c.store, next: c.next.WithGroup(name), ops: append(append([]handlerOp{}, c.ops...), handlerOp{group: name})}
}
