package eventbridge

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// TailEntry is one line of the live event stream: an event with the rules and targets it hit,
// or one delivery attempt.
type TailEntry struct {
	// Kind is "event" or "attempt".
	Kind          string    `json:"kind"`
	Time          time.Time `json:"time"`
	Bus           string    `json:"bus,omitempty"`
	EventID       string    `json:"event_id"`
	CorrelationID string    `json:"correlation_id,omitempty"`
	Source        string    `json:"source,omitempty"`
	DetailType    string    `json:"detail_type,omitempty"`
	ReplayName    string    `json:"replay_name,omitempty"`
	Rules         []string  `json:"rules,omitempty"`
	Targets       []string  `json:"targets,omitempty"`
	Archives      []string  `json:"archives,omitempty"`
	// For attempts.
	Rule         string `json:"rule,omitempty"`
	Target       string `json:"target,omitempty"`
	Attempt      int    `json:"attempt,omitempty"`
	LatencyUS    int64  `json:"latency_us,omitempty"`
	Outcome      string `json:"outcome,omitempty"`
	ErrorCode    string `json:"error_code,omitempty"`
	ErrorMessage string `json:"error_message,omitempty"`
}

type tailHub struct {
	mu   sync.Mutex
	subs map[chan TailEntry]struct{}
	n    atomic.Int32
}

func (h *tailHub) active() bool { return h.n.Load() > 0 }

func (h *tailHub) subscribe() chan TailEntry {
	ch := make(chan TailEntry, 1024)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[chan TailEntry]struct{}{}
	}
	h.subs[ch] = struct{}{}
	h.n.Store(int32(len(h.subs)))
	h.mu.Unlock()
	return ch
}

func (h *tailHub) unsubscribe(ch chan TailEntry) {
	h.mu.Lock()
	if _, ok := h.subs[ch]; ok {
		delete(h.subs, ch)
		close(ch)
	}
	h.n.Store(int32(len(h.subs)))
	h.mu.Unlock()
}

func (h *tailHub) publish(e TailEntry) {
	h.mu.Lock()
	for ch := range h.subs {
		select {
		case ch <- e:
		default: // a slow reader misses entries rather than slowing the bus
		}
	}
	h.mu.Unlock()
}

func (h *tailHub) closeAll() {
	h.mu.Lock()
	for ch := range h.subs {
		close(ch)
	}
	h.subs = nil
	h.n.Store(0)
	h.mu.Unlock()
}

// Tail streams live events and attempts until ctx ends. The channel is closed then.
func (b *Bus) Tail(ctx context.Context) <-chan TailEntry {
	ch := b.tail.subscribe()
	go func() {
		select {
		case <-ctx.Done():
		case <-b.ctx.Done():
		}
		b.tail.unsubscribe(ch)
	}()
	return ch
}

func (b *Bus) publishAttempt(d *delivery, at time.Time, latency time.Duration, outcome, code, msg string) {
	if !b.tail.active() {
		return
	}
	b.tail.publish(TailEntry{Kind: "attempt", Time: at, Bus: d.bus, EventID: d.eventID, CorrelationID: d.corrID, Rule: d.rule,
		Target: d.targetARN, Attempt: d.attempts, LatencyUS: latency.Microseconds(), Outcome: outcome, ErrorCode: code, ErrorMessage: msg})
}

// TraceEvent is an event of a workflow, with the rules it matched.
type TraceEvent struct {
	Time       time.Time       `json:"time"`
	ReceivedAt time.Time       `json:"received_at"`
	EventID    string          `json:"event_id"`
	Bus        string          `json:"bus"`
	Source     string          `json:"source"`
	DetailType string          `json:"detail_type"`
	ReplayName string          `json:"replay_name,omitempty"`
	Rules      []string        `json:"rules"`
	Envelope   json.RawMessage `json:"envelope,omitempty"`
}

// TraceAttempt is one delivery attempt (or dead-lettering) of a workflow's event.
type TraceAttempt struct {
	Time         time.Time `json:"time"`
	EventID      string    `json:"event_id"`
	Rule         string    `json:"rule"`
	TargetID     string    `json:"target_id"`
	TargetARN    string    `json:"target_arn"`
	Attempt      int       `json:"attempt"`
	LatencyUS    int64     `json:"latency_us"`
	Outcome      string    `json:"outcome"`
	ErrorCode    string    `json:"error_code,omitempty"`
	ErrorMessage string    `json:"error_message,omitempty"`
}

// Trace is a workflow's timeline on the bus.
type Trace struct {
	CorrelationID string         `json:"correlation_id"`
	Events        []TraceEvent   `json:"events"`
	Attempts      []TraceAttempt `json:"attempts"`
}

// Trace returns every event carrying detail.correlation_id = id, the rules each matched, and
// every delivery attempt and dead letter, in time order.
func (b *Bus) Trace(ctx context.Context, id string) (Trace, error) {
	return ReadTrace(ctx, b.db, id)
}

// ReadTrace reads a trace from a bus's database (which may belong to a stopped bus).
func ReadTrace(ctx context.Context, db *sql.DB, id string) (Trace, error) {
	tr := Trace{CorrelationID: id, Events: []TraceEvent{}, Attempts: []TraceAttempt{}}
	rows, err := db.QueryContext(ctx, `SELECT id, bus, time_ms, received_ms, rules, envelope FROM events WHERE correlation_id = ? ORDER BY seq`, id)
	if err != nil {
		return tr, fmt.Errorf("read events of %s: %w", id, err)
	}
	for rows.Next() {
		var e TraceEvent
		var tms, rms int64
		var rules string
		var raw []byte
		if err := rows.Scan(&e.EventID, &e.Bus, &tms, &rms, &rules, &raw); err != nil {
			rows.Close()
			return tr, fmt.Errorf("read events of %s: %w", id, err)
		}
		e.Time, e.ReceivedAt = time.UnixMilli(tms).UTC(), time.UnixMilli(rms).UTC()
		e.Rules = []string{}
		if rules != "" {
			e.Rules = strings.Split(rules, ",")
		}
		var env envelope
		if json.Unmarshal(raw, &env) == nil {
			e.Source, e.DetailType, e.ReplayName = env.Source, env.DetailType, env.ReplayName
		}
		e.Envelope = raw
		tr.Events = append(tr.Events, e)
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `SELECT event_id, rule, target_id, target_arn, attempt, at_ms, latency_us, outcome, error_code, error_message FROM attempts WHERE correlation_id = ? ORDER BY seq`, id)
	if err != nil {
		return tr, fmt.Errorf("read attempts of %s: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a TraceAttempt
		var ms int64
		if err := rows.Scan(&a.EventID, &a.Rule, &a.TargetID, &a.TargetARN, &a.Attempt, &ms, &a.LatencyUS, &a.Outcome, &a.ErrorCode, &a.ErrorMessage); err != nil {
			return tr, fmt.Errorf("read attempts of %s: %w", id, err)
		}
		a.Time = time.UnixMilli(ms).UTC()
		tr.Attempts = append(tr.Attempts, a)
	}
	slices.SortStableFunc(tr.Attempts, func(x, y TraceAttempt) int { return x.Time.Compare(y.Time) })
	return tr, rows.Err()
}

// ReadTraceFile reads a trace from the database file of a bus that may not be running.
func ReadTraceFile(ctx context.Context, path, id string) (Trace, error) {
	db, err := openDB(path)
	if err != nil {
		return Trace{}, err
	}
	defer db.Close()
	return ReadTrace(ctx, db, id)
}
