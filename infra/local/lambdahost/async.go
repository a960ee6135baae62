package lambdahost

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
	"github.com/alchemiser/alchemiser/infra/local/eventbridge/groupcommit"
)

// The conditions of an on-failure record.
const (
	ConditionRetriesExhausted = "RetriesExhausted"
	ConditionEventAgeExceeded = "EventAgeExceeded"
)

type asyncEvent struct {
	id        int64
	requestID string
	function  string
	payload   []byte
	received  time.Time
	attempts  int
	lastErr   string
}

type fifo struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []*asyncEvent
	closed bool
}

func newFIFO() *fifo {
	q := &fifo{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *fifo) push(e *asyncEvent) {
	q.mu.Lock()
	if !q.closed {
		q.items = append(q.items, e)
		q.cond.Signal()
	}
	q.mu.Unlock()
}

func (q *fifo) pop() (*asyncEvent, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return nil, false
	}
	e := q.items[0]
	q.items[0] = nil
	q.items = q.items[1:]
	return e, true
}

func (q *fifo) close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

// InvokeAsync queues an event for a function (InvocationType Event) and returns its request ID
// once the event is durable. The function runs it later, with retries.
func (h *Host) InvokeAsync(ctx context.Context, nameOrARN string, payload []byte) (string, error) {
	f, err := h.function(nameOrARN)
	if err != nil {
		return "", err
	}
	h.idMu.Lock()
	h.nextID++
	id := h.nextID
	h.idMu.Unlock()
	e := &asyncEvent{id: id, requestID: newUUID(), function: f.Name, payload: append([]byte(nil), payload...), received: h.cfg.Now()}
	if err := h.wr.Do(ctx, func(tx *groupcommit.Tx) error {
		_, err := tx.Exec(`INSERT INTO async_events (id, request_id, function, payload, received_ms) VALUES (?,?,?,?,?)`, e.id, e.requestID, e.function, e.payload, e.received.UnixMilli())
		return err
	}); err != nil {
		return "", fmt.Errorf("queue event for %s: %w", f.Name, err)
	}
	h.queued.Add(1)
	f.queue.push(e)
	return e.requestID, nil
}

// Dispatch implements eventbridge.Dispatcher: it queues the event for the function and reports
// an unknown function as ResourceNotFoundException, so the bus retries and dead-letters it.
func (h *Host) Dispatch(ctx context.Context, functionARN string, event []byte) error {
	_, err := h.InvokeAsync(ctx, functionARN, event)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrUnknownFunction):
		return &eventbridge.TargetError{Code: "ResourceNotFoundException", Message: "Function not found: " + functionARN}
	default:
		return &eventbridge.TargetError{Code: "ServiceException", Message: err.Error()}
	}
}

func (h *Host) asyncWorker(f *function) {
	defer h.wg.Done()
	for {
		e, ok := f.queue.pop()
		if !ok {
			return
		}
		h.runAsync(f, e)
	}
}

func (h *Host) runAsync(f *function, e *asyncEvent) {
	if h.cfg.Now().Sub(e.received) > f.MaximumEventAge {
		h.fail(f, e, ConditionEventAgeExceeded, nil)
		return
	}
	out, _, err := h.run(h.ctx, f, e.requestID, e.payload, true, e.attempts+1)
	if h.ctx.Err() != nil {
		return // stopping: the event stays queued
	}
	e.attempts++
	if err == nil {
		h.finished(e.id)
		h.queued.Add(-1)
		return
	}
	_ = out
	e.lastErr = err.Error()
	if e.attempts > *f.MaximumRetryAttempts {
		h.fail(f, e, ConditionRetriesExhausted, err)
		return
	}
	wait := h.jitter(h.cfg.RetryBaseDelay << (e.attempts - 1))
	if h.cfg.Now().Add(wait).Sub(e.received) > f.MaximumEventAge {
		h.fail(f, e, ConditionEventAgeExceeded, err)
		return
	}
	attempts, lastErr, id := e.attempts, e.lastErr, e.id
	h.wr.Go(func(tx *groupcommit.Tx) error {
		_, err := tx.Exec(`UPDATE async_events SET attempts = ?, last_error = ? WHERE id = ?`, attempts, lastErr, id)
		return err
	}, h.logErr)
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
			f.queue.push(e)
		case <-h.ctx.Done():
		}
	}()
}

func (h *Host) logErr(err error) {
	if !errors.Is(err, groupcommit.ErrClosed) {
		h.log.Error("write lambda queue", "error", err)
	}
}

// FailureRecord is what an on-failure destination receives, in Lambda's shape.
type FailureRecord struct {
	Version         string          `json:"version"`
	Timestamp       time.Time       `json:"timestamp"`
	RequestContext  RequestContext  `json:"requestContext"`
	RequestPayload  json.RawMessage `json:"requestPayload"`
	ResponseContext ResponseContext `json:"responseContext"`
	ResponsePayload json.RawMessage `json:"responsePayload,omitempty"`
}

// RequestContext is the part of a FailureRecord about the invocation.
type RequestContext struct {
	RequestID              string `json:"requestId"`
	FunctionArn            string `json:"functionArn"`
	Condition              string `json:"condition"`
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

// ResponseContext is the part of a FailureRecord about the function's response.
type ResponseContext struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	FunctionError   string `json:"functionError,omitempty"`
}

func (h *Host) fail(f *function, e *asyncEvent, condition string, err error) {
	rec := FailureRecord{Version: "1.0", Timestamp: h.cfg.Now().UTC(),
		RequestContext:  RequestContext{RequestID: e.requestID, FunctionArn: f.arn + ":$LATEST", Condition: condition, ApproximateInvokeCount: e.attempts},
		ResponseContext: ResponseContext{StatusCode: 200, ExecutedVersion: "$LATEST"}}
	if json.Valid(e.payload) {
		rec.RequestPayload = e.payload
	} else {
		rec.RequestPayload, _ = json.Marshal(string(e.payload))
	}
	if err != nil {
		rec.ResponseContext.FunctionError = "Unhandled"
		typ, msg := "Error", err.Error()
		var fe *FunctionError
		if errors.As(err, &fe) {
			typ, msg = fe.Type, fe.Message
		}
		rec.ResponsePayload, _ = json.Marshal(map[string]string{"errorType": typ, "errorMessage": msg})
	}
	body, _ := json.Marshal(rec)
	if f.OnFailure != "" && h.cfg.Destinations != nil {
		if derr := h.cfg.Destinations.SendToQueue(h.ctx, f.OnFailure, body); derr != nil {
			if h.ctx.Err() != nil {
				return // stopping: the event stays queued
			}
			h.log.Error("send on-failure record; trying again later", "function", f.Name, "request_id", e.requestID, "error", derr)
			h.wg.Add(1)
			go func() {
				defer h.wg.Done()
				t := time.NewTimer(h.cfg.RetryBaseDelay)
				defer t.Stop()
				select {
				case <-t.C:
					h.fail(f, e, condition, err)
				case <-h.ctx.Done():
				}
			}()
			return
		}
	} else {
		h.log.Warn("async invocation failed for good and has no on-failure destination", "function", f.Name, "request_id", e.requestID, "condition", condition)
	}
	h.wr.Go(func(tx *groupcommit.Tx) error {
		_, err := tx.Exec(`DELETE FROM async_events WHERE id = ?`, e.id)
		return err
	}, h.logErr)
	h.queued.Add(-1)
}

// finished queues the deletion of a finished event; deletions that arrive while one is queued
// join it, one statement per hundred events.
func (h *Host) finished(id int64) {
	h.doneMu.Lock()
	h.doneIDs = append(h.doneIDs, id)
	first := len(h.doneIDs) == 1
	h.doneMu.Unlock()
	if !first {
		return
	}
	var taken []int64
	took := false
	h.wr.Go(func(tx *groupcommit.Tx) error {
		if !took { // a batch run again reuses what it took
			h.doneMu.Lock()
			taken, h.doneIDs = h.doneIDs, nil
			h.doneMu.Unlock()
			took = true
		}
		for ids := taken; len(ids) > 0; {
			n := min(len(ids), 100)
			args := make([]any, n)
			for i, id := range ids[:n] {
				args[i] = id
			}
			if _, err := tx.Exec(`DELETE FROM async_events WHERE id IN (`+strings.TrimSuffix(strings.Repeat("?,", n), ",")+`)`, args...); err != nil {
				return err
			}
			ids = ids[n:]
		}
		return nil
	}, h.logErr)
}
