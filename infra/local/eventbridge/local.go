package eventbridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

func (b *Bus) serveTail(w http.ResponseWriter, r *http.Request) {
	entries := b.Tail(r.Context()) // subscribe before answering, so nothing after the answer is missed
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	enc := json.NewEncoder(w)
	for e := range entries {
		if err := enc.Encode(e); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
}

func (b *Bus) serveTrace(w http.ResponseWriter, r *http.Request) {
	tr, err := b.Trace(r.Context(), r.PathValue("id"))
	if err != nil {
		writeJSONErr(w, "application/json", internalErr(err))
		return
	}
	writeJSON(w, "application/json", tr)
}

// DLQSummary is a local queue with its message count.
type DLQSummary struct {
	Queue    string `json:"queue"`
	Arn      string `json:"arn"`
	Messages int    `json:"messages"`
}

// DLQs lists the local queues with how many messages each holds.
func (b *Bus) DLQs(ctx context.Context) ([]DLQSummary, error) {
	out := []DLQSummary{}
	for _, q := range b.QueueNames("") {
		msgs, err := b.PeekMessages(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, DLQSummary{Queue: q, Arn: b.QueueARN(q), Messages: len(msgs)})
	}
	return out, nil
}

// Redrive puts the dead-lettered events of queue back on the bus their rule belongs to and
// deletes them from the queue; with ids, only those messages. It returns how many it redrove.
// AWS has no native redrive to a bus; this is the local equivalent of reading the DLQ and
// calling PutEvents.
func (b *Bus) Redrive(ctx context.Context, queue string, ids []string) (int, error) {
	msgs, err := b.PeekMessages(ctx, queue)
	if err != nil {
		return 0, err
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	n := 0
	for _, m := range msgs {
		if len(want) > 0 && !want[m.MessageId] {
			continue
		}
		var env envelope
		if err := json.Unmarshal([]byte(m.Body), &env); err != nil || env.Source == "" {
			return n, fmt.Errorf("redrive message %s: the body is not an EventBridge event", m.MessageId)
		}
		bus := DefaultBusName
		if a, ok := m.MessageAttributes[AttrRuleARN]; ok {
			if parts := strings.Split(lastSegment(a.StringValue, ":rule/"), "/"); len(parts) == 2 {
				bus = parts[0]
			}
		}
		entry := PutEventsRequestEntry{Source: env.Source, DetailType: env.DetailType, Detail: string(env.Detail), Resources: env.Resources, EventBusName: bus}
		if t, err := time.Parse(time.RFC3339, env.Time); err == nil {
			e := Epoch(t)
			entry.Time = &e
		}
		res, err := b.PutEvents(ctx, []PutEventsRequestEntry{entry})
		if err != nil {
			return n, fmt.Errorf("redrive message %s: %w", m.MessageId, err)
		}
		if res[0].ErrorCode != "" {
			return n, fmt.Errorf("redrive message %s: %s: %s", m.MessageId, res[0].ErrorCode, res[0].ErrorMessage)
		}
		if err := b.DeleteMessage(ctx, queue, m.MessageId); err != nil {
			return n, fmt.Errorf("redrive message %s: %w", m.MessageId, err)
		}
		n++
	}
	return n, nil
}

func (b *Bus) serveDLQList(w http.ResponseWriter, r *http.Request) {
	qs, err := b.DLQs(r.Context())
	if err != nil {
		writeJSONErr(w, "application/json", err)
		return
	}
	writeJSON(w, "application/json", qs)
}

func (b *Bus) serveDLQShow(w http.ResponseWriter, r *http.Request) {
	msgs, err := b.PeekMessages(r.Context(), r.PathValue("queue"))
	if err != nil {
		writeJSONErr(w, "application/json", err)
		return
	}
	writeJSON(w, "application/json", nonNil(msgs))
}

func (b *Bus) serveDLQRedrive(w http.ResponseWriter, r *http.Request) {
	n, err := b.Redrive(r.Context(), r.PathValue("queue"), r.URL.Query()["id"])
	if err != nil {
		var ae *APIError
		if !errors.As(err, &ae) {
			err = &APIError{Status: http.StatusBadRequest, Type: "RedriveFailed", Message: err.Error()}
		}
		writeJSONErr(w, "application/json", err)
		return
	}
	writeJSON(w, "application/json", map[string]int{"redriven": n})
}

// SendToQueue puts body on the local queue an SQS ARN (or name) names; it is how the Lambda
// host delivers a function's on-failure records.
func (b *Bus) SendToQueue(ctx context.Context, queueARN string, body []byte) error {
	_, err := b.SendMessage(ctx, queueName(queueARN), body, nil)
	return err
}
