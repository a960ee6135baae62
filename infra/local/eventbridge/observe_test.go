package eventbridge_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
)

// TestTailStreamsEventsAndAttempts reads the NDJSON tail of a running bus.
func TestTailStreamsEventsAndAttempts(t *testing.T) {
	h := newHarness(t, nil)
	setupRule(t, h, "svc", 0, 60)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.srv.Endpoint()+"/_local/tail", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	id := putOne(t, h, `{"correlation_id":"tail"}`)
	sc := bufio.NewScanner(resp.Body)
	var kinds []string
	for len(kinds) < 2 && sc.Scan() {
		var e eventbridge.TailEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if e.EventID != id {
			t.Errorf("entry for event %s, want %s", e.EventID, id)
		}
		if e.Kind == "event" && (len(e.Rules) != 1 || e.Rules[0] != "r" || len(e.Targets) != 1) {
			t.Errorf("event entry = %+v", e)
		}
		if e.Kind == "attempt" && e.Outcome != "delivered" {
			t.Errorf("attempt entry = %+v", e)
		}
		kinds = append(kinds, e.Kind)
	}
	if len(kinds) != 2 || kinds[0] != "event" || kinds[1] != "attempt" {
		t.Errorf("tail kinds = %v, want [event attempt]", kinds)
	}
}

// TestRedrive dead-letters an event, then redrives it once the target works again.
func TestRedrive(t *testing.T) {
	var healthy atomic.Bool
	h := newHarness(t, func(string, int) error {
		if healthy.Load() {
			return nil
		}
		return errFailing
	})
	setupRule(t, h, "svc", 0, 60)
	id := putOne(t, h, `{"correlation_id":"redrive"}`)
	waitFor(t, "a dead letter", func() (bool, error) { return dlqCount(t, h) == "1", nil })
	qs, err := h.bus.DLQs(context.Background())
	if err != nil || len(qs) != 1 || qs[0].Messages != 1 {
		t.Fatalf("DLQs = %+v, %v", qs, err)
	}
	healthy.Store(true)
	n, err := h.bus.Redrive(context.Background(), "dlq", nil)
	if err != nil || n != 1 {
		t.Fatalf("Redrive = %d, %v", n, err)
	}
	got := <-h.rec.calls
	var env struct {
		Source string          `json:"source"`
		Detail json.RawMessage `json:"detail"`
		ID     string          `json:"id"`
	}
	if err := json.Unmarshal(got.event, &env); err != nil || env.Source != "test" || string(env.Detail) != `{"correlation_id":"redrive"}` || env.ID == id {
		t.Errorf("redriven event = %s, want the same source and detail under a new ID", got.event)
	}
	if c := dlqCount(t, h); c != "0" {
		t.Errorf("DLQ holds %s after the redrive, want 0", c)
	}
}
