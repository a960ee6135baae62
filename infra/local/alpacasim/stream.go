package alpacasim

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/shopspring/decimal"
)

type tradeUpdateJSON struct {
	At          time.Time        `json:"at"`
	Event       string           `json:"event"`
	EventID     string           `json:"event_id"`
	ExecutionID string           `json:"execution_id,omitempty"`
	Order       orderJSON        `json:"order"`
	PositionQty *decimal.Decimal `json:"position_qty,omitempty"`
	Price       *decimal.Decimal `json:"price,omitempty"`
	Qty         *decimal.Decimal `json:"qty,omitempty"`
	Timestamp   *time.Time       `json:"timestamp,omitempty"`
}

func toTradeUpdateJSON(u TradeUpdate) tradeUpdateJSON {
	at := u.At.UTC()
	out := tradeUpdateJSON{At: at, Event: u.Event, EventID: formatEventID(u.ID), ExecutionID: u.ExecutionID,
		Order: toOrderJSON(&u.Order), PositionQty: u.PositionQty, Price: u.Price, Qty: u.Qty}
	if u.Price != nil {
		out.Timestamp = &at
	}
	return out
}

func formatEventID(id int64) string {
	b, _ := json.Marshal(id)
	return "01SIM" + string(b)
}

// TradeUpdates returns a copy of the trade updates kept for replay (at least the last 10,000).
func (s *Server) TradeUpdates() []TradeUpdate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]TradeUpdate(nil), s.events...)
}

// streamTrades serves GET /v2/events/trades as server-sent events. Events after since are
// replayed first; with until the stream ends after the replay, otherwise it stays open.
func (s *Server) streamTrades(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var since, until time.Time
	for name, dst := range map[string]*time.Time{"since": &since, "until": &until} {
		if v := q.Get(name); v != "" {
			t, apiErr := parseTimeParam(name, v)
			if apiErr != nil {
				writeError(w, apiErr)
				return
			}
			*dst = t
		}
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeError(w, &apiError{http.StatusInternalServerError, 50010000, "streaming unsupported"})
		return
	}
	ch := make(chan TradeUpdate, 1024)
	s.mu.Lock()
	var backlog []TradeUpdate
	if !since.IsZero() {
		for _, u := range s.events {
			if !u.At.Before(since) && (until.IsZero() || !u.At.After(until)) {
				backlog = append(backlog, u)
			}
		}
	}
	if until.IsZero() {
		s.subs[ch] = struct{}{}
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.subs, ch)
		s.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	send := func(u TradeUpdate) bool {
		b, err := json.Marshal(toTradeUpdateJSON(u))
		if err != nil {
			return false
		}
		if _, err := w.Write(append(append([]byte("data: "), b...), '\n', '\n')); err != nil {
			return false
		}
		flusher.Flush()
		return true
	}
	for _, u := range backlog {
		if !send(u) {
			return
		}
	}
	if !until.IsZero() {
		return
	}
	for {
		select {
		case u := <-ch:
			if !send(u) {
				return
			}
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
}
