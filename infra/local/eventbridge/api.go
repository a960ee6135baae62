package eventbridge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/alchemiser/alchemiser/pkg/eventpattern"
)

// maxRequestBody bounds an API request's body.
const maxRequestBody = 4 << 20

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// Handler returns the bus's HTTP API: EventBridge (AWS JSON 1.1), SQS (AWS JSON 1.0 and query)
// and the local endpoints under /_local/.
func (b *Bus) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_local/tail", b.serveTail)
	mux.HandleFunc("GET /_local/trace/{id}", b.serveTrace)
	mux.HandleFunc("GET /_local/dlq", b.serveDLQList)
	mux.HandleFunc("GET /_local/dlq/{queue}", b.serveDLQShow)
	mux.HandleFunc("POST /_local/dlq/{queue}/redrive", b.serveDLQRedrive)
	mux.HandleFunc("GET /_local/health", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("/", b.serveAWS)
	return mux
}

func (b *Bus) serveAWS(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "the local EventBridge takes POST requests", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		writeJSONErr(w, "application/x-amz-json-1.1", &APIError{Status: 400, Type: "SerializationException", Message: "could not read the request body"})
		return
	}
	if len(body) > maxRequestBody {
		writeJSONErr(w, "application/x-amz-json-1.1", &APIError{Status: 413, Type: "RequestEntityTooLarge", Message: "the request body is too large"})
		return
	}
	target := r.Header.Get("X-Amz-Target")
	switch {
	case strings.HasPrefix(target, "AWSEvents."):
		b.serveEvents(w, r, strings.TrimPrefix(target, "AWSEvents."), body)
	case strings.HasPrefix(target, "AmazonSQS."):
		b.serveSQSJSON(w, r, strings.TrimPrefix(target, "AmazonSQS."), body)
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		b.serveSQSQuery(w, r, body)
	default:
		writeJSONErr(w, "application/x-amz-json-1.1", &APIError{Status: 400, Type: "UnknownOperationException", Message: fmt.Sprintf("unknown operation %q", target)})
	}
}

func writeJSON(w http.ResponseWriter, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-RequestId", newUUID())
	if v == nil {
		v = struct{}{}
	}
	_ = json.NewEncoder(w).Encode(v)
}

func writeJSONErr(w http.ResponseWriter, contentType string, err error) {
	var ae *APIError
	if !errors.As(err, &ae) {
		ae = internalErr(err)
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-RequestId", newUUID())
	w.Header().Set("X-Amzn-ErrorType", ae.Type)
	w.WriteHeader(ae.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": ae.Type, "message": ae.Message})
}

const eventsJSON = "application/x-amz-json-1.1"

func decodeInput(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return &APIError{Status: 400, Type: "SerializationException", Message: "could not decode the request: " + err.Error()}
	}
	return nil
}

type nameBus struct {
	Name         string `json:"Name"`
	EventBusName string `json:"EventBusName"`
	NamePrefix   string `json:"NamePrefix"`
	Description  string `json:"Description"`
}

type ruleTargets struct {
	Rule         string   `json:"Rule"`
	EventBusName string   `json:"EventBusName"`
	Targets      []Target `json:"Targets"`
	Ids          []string `json:"Ids"` //nolint:revive // AWS's field name
}

func (b *Bus) serveEvents(w http.ResponseWriter, r *http.Request, op string, body []byte) {
	out, err := b.eventsOp(r, op, body)
	if err != nil {
		writeJSONErr(w, eventsJSON, err)
		return
	}
	writeJSON(w, eventsJSON, out)
}

func (b *Bus) eventsOp(r *http.Request, op string, body []byte) (any, error) {
	ctx := r.Context()
	switch op {
	case "PutEvents":
		var in struct{ Entries []PutEventsRequestEntry }
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		res, err := b.PutEvents(ctx, in.Entries)
		if err != nil {
			return nil, err
		}
		failed := 0
		for _, e := range res {
			if e.ErrorCode != "" {
				failed++
			}
		}
		return map[string]any{"Entries": res, "FailedEntryCount": failed}, nil
	case "TestEventPattern":
		var in struct{ EventPattern, Event string }
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		ok, err := TestEventPattern(in.EventPattern, in.Event)
		if err != nil {
			return nil, err
		}
		return map[string]bool{"Result": ok}, nil
	case "CreateEventBus":
		var in nameBus
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		arn, err := b.CreateEventBus(ctx, in.Name, in.Description)
		return map[string]string{"EventBusArn": arn}, err
	case "DescribeEventBus":
		var in nameBus
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		return b.DescribeEventBus(in.Name)
	case "ListEventBuses":
		var in nameBus
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		return map[string]any{"EventBuses": nonNil(b.ListEventBuses(in.NamePrefix))}, nil
	case "DeleteEventBus":
		var in nameBus
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		return nil, b.DeleteEventBus(ctx, in.Name)
	case "PutRule":
		var in PutRuleInput
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		arn, err := b.PutRule(ctx, in)
		return map[string]string{"RuleArn": arn}, err
	case "DescribeRule":
		var in nameBus
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		return b.DescribeRule(in.EventBusName, in.Name)
	case "ListRules":
		var in nameBus
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		rules, err := b.ListRules(in.EventBusName, in.NamePrefix)
		return map[string]any{"Rules": rules}, err
	case "DeleteRule":
		var in nameBus
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		return nil, b.DeleteRule(ctx, in.EventBusName, in.Name)
	case "EnableRule", "DisableRule":
		var in nameBus
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		return nil, b.SetRuleState(ctx, in.EventBusName, in.Name, op == "EnableRule")
	case "PutTargets":
		var in ruleTargets
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		failed, err := b.PutTargets(ctx, in.EventBusName, in.Rule, in.Targets)
		return map[string]any{"FailedEntryCount": len(failed), "FailedEntries": failed}, err
	case "RemoveTargets":
		var in ruleTargets
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		failed, err := b.RemoveTargets(ctx, in.EventBusName, in.Rule, in.Ids)
		return map[string]any{"FailedEntryCount": len(failed), "FailedEntries": failed}, err
	case "ListTargetsByRule":
		var in ruleTargets
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		ts, err := b.ListTargetsByRule(in.EventBusName, in.Rule)
		return map[string]any{"Targets": ts}, err
	case "CreateArchive":
		var in CreateArchiveInput
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		a, err := b.CreateArchive(ctx, in)
		return map[string]any{"ArchiveArn": a.ArchiveArn, "State": a.State, "CreationTime": a.CreationTime}, err
	case "DescribeArchive", "DeleteArchive":
		var in struct{ ArchiveName string }
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		if op == "DeleteArchive" {
			return nil, b.DeleteArchive(ctx, in.ArchiveName)
		}
		return b.DescribeArchive(ctx, in.ArchiveName)
	case "ListArchives":
		var in struct{ NamePrefix, EventSourceArn string }
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		as, err := b.ListArchives(ctx, in.NamePrefix, in.EventSourceArn)
		return map[string]any{"Archives": as}, err
	case "StartReplay":
		var in StartReplayInput
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		rp, err := b.StartReplay(ctx, in)
		return map[string]any{"ReplayArn": rp.ReplayArn, "State": rp.State, "ReplayStartTime": rp.ReplayStartTime}, err
	case "DescribeReplay":
		var in struct{ ReplayName string }
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		return b.DescribeReplay(ctx, in.ReplayName)
	case "CancelReplay":
		var in struct{ ReplayName string }
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		rp, err := b.CancelReplay(ctx, in.ReplayName)
		return map[string]any{"ReplayArn": rp.ReplayArn, "State": rp.State}, err
	case "ListReplays":
		var in struct{ NamePrefix, State, EventSourceArn string }
		if err := decodeInput(body, &in); err != nil {
			return nil, err
		}
		rs, err := b.ListReplays(ctx, in.NamePrefix, in.State, in.EventSourceArn)
		return map[string]any{"Replays": rs}, err
	default:
		return nil, &APIError{Status: 400, Type: "UnknownOperationException", Message: fmt.Sprintf("The local EventBridge does not support the operation %s.", op)}
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// requiredEventFields are the fields TestEventPattern requires of its event, as AWS does.
var requiredEventFields = []string{"id", "account", "source", "time", "region", "detail-type"}

// TestEventPattern reports whether event matches pattern, with AWS's errors for a bad pattern
// (InvalidEventPatternException) or event (ValidationException).
func TestEventPattern(pattern, event string) (bool, error) {
	if pattern == "" {
		return false, validationErr("1 validation error detected: Value null at 'eventPattern' failed to satisfy constraint: Member must not be null")
	}
	p, err := eventpattern.Compile([]byte(pattern))
	if err != nil {
		var pe *eventpattern.PatternError
		if errors.As(err, &pe) {
			return false, patternErr(pe.Error())
		}
		return false, patternErr("Event pattern is not valid. Reason: " + err.Error())
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(event), &fields); err != nil {
		return false, validationErr("Parameter Event is not valid. Reason: the event is not a JSON object.")
	}
	for _, f := range requiredEventFields {
		if _, ok := fields[f]; !ok {
			return false, validationErr("Parameter Event is not valid. Reason: Provided Event is missing required field %q.", f)
		}
	}
	ok, err := p.Match([]byte(event))
	if err != nil {
		return false, validationErr("Parameter Event is not valid. Reason: %s", err.Error())
	}
	return ok, nil
}
