// Package eventbustest tests publishers: a contract suite that every eventbus.Publisher passes,
// and Server, a fake EventBridge endpoint speaking the AWS JSON 1.1 protocol of PutEvents.
package eventbustest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
)

// Entry is one PutEvents request entry as the server received it.
type Entry struct {
	Source       string   `json:"Source"`
	DetailType   string   `json:"DetailType"`
	Detail       string   `json:"Detail"`
	EventBusName string   `json:"EventBusName"`
	Resources    []string `json:"Resources"`
	// Time is in epoch seconds, as the protocol sends timestamps.
	Time json.Number `json:"Time"`
}

type putEventsRequest struct {
	Entries []Entry `json:"Entries"`
}

type resultEntry struct {
	EventID      string `json:"EventId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

// Server is an httptest server that answers PutEvents like EventBridge. It checks the protocol
// (X-Amz-Target, Content-Type) and that the request is signed (SigV4), not the signature. Set Fail to reject
// entries; accepted entries are kept in order.
type Server struct {
	*httptest.Server
	// Fail, when set, is asked about each entry of each call; a non-empty code rejects the entry
	// with that ErrorCode. It is called with the server's lock held, in entry order.
	Fail func(call int, e Entry) (code string)
	// RequestError, when set, makes the whole call number call fail with HTTP status 400 and
	// this error type (such as "ValidationException").
	RequestError func(call int) string

	mu       sync.Mutex
	calls    [][]Entry
	accepted []Entry
}

// NewServer starts a Server, closed when the test ends.
func NewServer(t testing.TB) *Server {
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if got := r.Header.Get("X-Amz-Target"); got != "AWSEvents.PutEvents" {
		writeError(w, "UnknownOperationException", fmt.Sprintf("X-Amz-Target %q is not supported", got))
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		writeError(w, "SerializationException", fmt.Sprintf("Content-Type %q, want application/x-amz-json-1.1", ct))
		return
	}
	if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") {
		writeError(w, "MissingAuthenticationTokenException", "request is not signed with SigV4")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, "SerializationException", err.Error())
		return
	}
	var req putEventsRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, "SerializationException", err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	call := len(s.calls)
	s.calls = append(s.calls, req.Entries)
	if s.RequestError != nil {
		if typ := s.RequestError(call); typ != "" {
			writeError(w, typ, "injected failure")
			return
		}
	}
	out := struct {
		FailedEntryCount int           `json:"FailedEntryCount"`
		Entries          []resultEntry `json:"Entries"`
	}{Entries: make([]resultEntry, len(req.Entries))}
	for i, e := range req.Entries {
		if s.Fail != nil {
			if code := s.Fail(call, e); code != "" {
				out.Entries[i] = resultEntry{ErrorCode: code, ErrorMessage: "injected failure"}
				out.FailedEntryCount++
				continue
			}
		}
		s.accepted = append(s.accepted, e)
		out.Entries[i] = resultEntry{EventID: fmt.Sprintf("eb-%d-%d", call, i)}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

func writeError(w http.ResponseWriter, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

// Calls returns the entries of each PutEvents call, in order.
func (s *Server) Calls() [][]Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]Entry, len(s.calls))
	copy(out, s.calls)
	return out
}

// Accepted returns the entries accepted so far, in order.
func (s *Server) Accepted() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Entry(nil), s.accepted...)
}

// Events decodes the accepted entries with the contract's decoder, checking that each entry's
// source and detail-type agree with its detail.
func (s *Server) Events() ([]v1.Event, error) {
	var out []v1.Event
	for i, e := range s.Accepted() {
		ev, _, err := v1.DecodeDetail([]byte(e.Detail))
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		if string(ev.DetailType()) != e.DetailType || string(ev.Source()) != e.Source {
			return nil, fmt.Errorf("entry %d: sent as %s/%s but the detail is %s/%s", i, e.Source, e.DetailType, ev.Source(), ev.DetailType())
		}
		out = append(out, ev)
	}
	return out, nil
}
