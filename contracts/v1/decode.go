package v1

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Errors that Decode wraps, for errors.Is.
var (
	// ErrUnsupportedVersion means the event's major schema version is not this package's.
	ErrUnsupportedVersion = errors.New("unsupported schema version")
	// ErrUnknownDetailType means the detail-type names no event of this package.
	ErrUnknownDetailType = errors.New("unknown detail-type")
	// ErrInvalid means the payload broke the contract: a missing or unknown field, a wrong type,
	// a bad value.
	ErrInvalid = errors.New("invalid event")
)

// FieldError is one problem with one field, named by its path such as "target[2].weight".
type FieldError struct {
	Path string
	Err  error
}

func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}

func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(path string, err error) error { return &FieldError{Path: path, Err: err} }

// DecodeError lists every problem found in a payload. It matches ErrInvalid with errors.Is.
type DecodeError struct {
	// DetailType is the event's type, when it was known.
	DetailType DetailType
	Problems   []*FieldError
}

func (e *DecodeError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Error()
	}
	name := "event"
	if e.DetailType != "" {
		name = string(e.DetailType)
	}
	return fmt.Sprintf("invalid %s: %s", name, strings.Join(parts, "; "))
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *DecodeError) Is(target error) bool { return target == ErrInvalid }

// Envelope is the EventBridge envelope around an event's detail.
type Envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       time.Time       `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
	// ReplayName is set by EventBridge on events replayed from an archive.
	ReplayName string `json:"replay-name,omitempty"`
}

// Decoded is a decoded event and what was learnt on the way.
type Decoded struct {
	Event Event
	// Wrapped says whether the payload came in an EventBridge envelope.
	Wrapped bool
	// Envelope is the envelope, when Wrapped.
	Envelope *Envelope
	// ReplayName is the envelope's replay-name: the event was replayed from an archive.
	ReplayName string
	// UnknownFields lists fields this package does not know, from an event of a newer minor
	// version. Consumers log them; they are not an error.
	UnknownFields []string
}

// New returns a new, empty event of type t.
func New(t DetailType) (Event, error) {
	switch t {
	case TypeWorkflowStarted:
		return new(WorkflowStarted), nil
	case TypeSignalGenerated:
		return new(SignalGenerated), nil
	case TypeRebalancePlanned:
		return new(RebalancePlanned), nil
	case TypeTradeExecuted:
		return new(TradeExecuted), nil
	case TypeStepFailed:
		return new(StepFailed), nil
	case TypeWorkflowCompleted:
		return new(WorkflowCompleted), nil
	case TypeWorkflowFailed:
		return new(WorkflowFailed), nil
	case TypeTradingNotificationRequested:
		return new(TradingNotificationRequested), nil
	case TypeErrorNotificationRequested:
		return new(ErrorNotificationRequested), nil
	}
	return nil, fmt.Errorf("%w %q", ErrUnknownDetailType, t)
}

// DetailTypes lists every detail-type of this package in a stable order.
func DetailTypes() []DetailType {
	return []DetailType{
		TypeWorkflowStarted, TypeSignalGenerated, TypeRebalancePlanned, TypeTradeExecuted, TypeStepFailed,
		TypeWorkflowCompleted, TypeWorkflowFailed, TypeTradingNotificationRequested, TypeErrorNotificationRequested,
	}
}

var versionPattern = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)

// Decode decodes an event that arrives bare (the detail alone) or wrapped in an EventBridge
// envelope, and validates it against this package's contract:
//
//   - a missing required field, a wrong JSON type, a bad enum value or a malformed decimal or
//     time is an error naming the field's path;
//   - an unknown field is an error when the event's minor version is this package's or older,
//     and is reported in UnknownFields when it is newer;
//   - another major version is an error wrapping ErrUnsupportedVersion;
//   - the event's own rules (Validate), such as weights summing to 1, must hold.
func Decode(data []byte) (Decoded, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return Decoded{}, &DecodeError{Problems: []*FieldError{{Err: fmt.Errorf("not a JSON object: %v", err)}}}
	}
	var out Decoded
	detail := data
	if _, ok := top["detail-type"]; ok {
		if _, ok := top["detail"]; ok {
			env, err := decodeEnvelope(data)
			if err != nil {
				return Decoded{}, err
			}
			out.Wrapped, out.Envelope, out.ReplayName = true, env, env.ReplayName
			detail = env.Detail
		}
	}
	ev, unknown, err := DecodeDetail(detail)
	if err != nil {
		return Decoded{}, err
	}
	if out.Wrapped {
		if out.Envelope.DetailType != string(ev.DetailType()) {
			return Decoded{}, &DecodeError{DetailType: ev.DetailType(), Problems: []*FieldError{{Path: "detail-type",
				Err: fmt.Errorf("envelope says %q but detail.event_type is %q", out.Envelope.DetailType, ev.DetailType())}}}
		}
		if out.Envelope.Source != string(ev.Source()) {
			return Decoded{}, &DecodeError{DetailType: ev.DetailType(), Problems: []*FieldError{{Path: "source",
				Err: fmt.Errorf("%q does not publish %s; want %q", out.Envelope.Source, ev.DetailType(), ev.Source())}}}
		}
	}
	out.Event, out.UnknownFields = ev, unknown
	return out, nil
}

func decodeEnvelope(data []byte) (*Envelope, error) {
	var env Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, &DecodeError{Problems: []*FieldError{{Path: "envelope", Err: err}}}
	}
	var probs []*FieldError
	if env.DetailType == "" {
		probs = append(probs, &FieldError{Path: "detail-type", Err: errors.New("empty")})
	}
	if env.Source == "" {
		probs = append(probs, &FieldError{Path: "source", Err: errors.New("empty")})
	}
	if len(bytes.TrimSpace(env.Detail)) == 0 || bytes.Equal(bytes.TrimSpace(env.Detail), []byte("null")) {
		probs = append(probs, &FieldError{Path: "detail", Err: errors.New("missing")})
	}
	if len(probs) > 0 {
		return nil, &DecodeError{DetailType: DetailType(env.DetailType), Problems: probs}
	}
	return &env, nil
}

// DecodeDetail decodes a bare event (the detail of an envelope). It returns the unknown fields
// that were tolerated because the event is of a newer minor version.
func DecodeDetail(data []byte) (Event, []string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, nil, &DecodeError{Problems: []*FieldError{{Err: fmt.Errorf("not valid JSON: %v", err)}}}
	}
	obj, ok := tree.(map[string]any)
	if !ok {
		return nil, nil, &DecodeError{Problems: []*FieldError{{Err: fmt.Errorf("want a JSON object, got %s", jsonKind(tree))}}}
	}
	typ, _ := obj["event_type"].(string)
	if typ == "" {
		return nil, nil, &DecodeError{Problems: []*FieldError{{Path: "event_type", Err: errors.New("required field missing")}}}
	}
	ev, err := New(DetailType(typ))
	if err != nil {
		return nil, nil, &DecodeError{Problems: []*FieldError{{Path: "event_type", Err: err}}}
	}
	strict, err := checkVersion(obj["schema_version"])
	if err != nil {
		return nil, nil, err
	}
	c := checker{strict: strict}
	c.walk(obj, reflect.TypeOf(ev).Elem(), "")
	if len(c.problems) > 0 {
		return nil, nil, &DecodeError{DetailType: DetailType(typ), Problems: c.problems}
	}
	if err := json.Unmarshal(data, ev); err != nil {
		return nil, nil, &DecodeError{DetailType: DetailType(typ), Problems: []*FieldError{{Err: err}}}
	}
	if err := ev.Validate(); err != nil {
		var fe *FieldError
		if !errors.As(err, &fe) {
			fe = &FieldError{Err: err}
		}
		return nil, nil, &DecodeError{DetailType: DetailType(typ), Problems: []*FieldError{fe}}
	}
	sort.Strings(c.unknown)
	return ev, c.unknown, nil
}

// checkVersion reports whether unknown fields are errors (same or older minor) and refuses other
// major versions.
func checkVersion(v any) (strict bool, err error) {
	s, _ := v.(string)
	m := versionPattern.FindStringSubmatch(s)
	if m == nil {
		return false, &DecodeError{Problems: []*FieldError{{Path: "schema_version",
			Err: fmt.Errorf("%s is not a semantic version such as \"1.0.0\"", describe(v))}}}
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	if major != Major {
		return false, fmt.Errorf("schema_version %s: major version %d is not supported by this consumer, which reads %d.x: %w",
			s, major, Major, ErrUnsupportedVersion)
	}
	ours := versionPattern.FindStringSubmatch(SchemaVersion)
	ourMinor, _ := strconv.Atoi(ours[2])
	return minor <= ourMinor, nil
}

type enumer interface{ enumValues() []string }

var (
	decimalType    = reflect.TypeOf(Decimal{})
	timeType       = reflect.TypeOf(time.Time{})
	enumerType     = reflect.TypeOf((*enumer)(nil)).Elem()
	decimalPattern = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
)

// checker walks a generic JSON tree beside a Go type and records every problem with its path.
type checker struct {
	strict   bool
	problems []*FieldError
	unknown  []string
}

func (c *checker) fail(path, format string, args ...any) {
	c.problems = append(c.problems, &FieldError{Path: path, Err: fmt.Errorf(format, args...)})
}

func (c *checker) walk(v any, t reflect.Type, path string) {
	if t.Kind() == reflect.Pointer {
		if v == nil {
			return
		}
		t = t.Elem()
	}
	switch {
	case t == decimalType:
		s, ok := v.(string)
		if !ok {
			c.fail(path, "want a decimal string such as \"12.5\", got %s", describe(v))
		} else if !decimalPattern.MatchString(s) {
			c.fail(path, "%q is not a decimal string such as \"12.5\"", s)
		}
		return
	case t == timeType:
		s, ok := v.(string)
		if !ok {
			c.fail(path, "want an RFC 3339 time string, got %s", describe(v))
		} else if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			c.fail(path, "%q is not an RFC 3339 time", s)
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			c.fail(path, "want an object, got %s", describe(v))
			return
		}
		known := map[string]bool{}
		for _, f := range fields(t) {
			known[f.name] = true
			fv, present := obj[f.name]
			if !present {
				if f.required {
					c.fail(join(path, f.name), "required field missing")
				}
				continue
			}
			c.walk(fv, f.typ, join(path, f.name))
		}
		for k := range obj {
			if known[k] {
				continue
			}
			if c.strict {
				c.fail(join(path, k), "unknown field (this consumer reads schema %s; a new field needs a new minor version)", SchemaVersion)
			} else {
				c.unknown = append(c.unknown, join(path, k))
			}
		}
	case reflect.Slice:
		if v == nil {
			return
		}
		arr, ok := v.([]any)
		if !ok {
			c.fail(path, "want an array, got %s", describe(v))
			return
		}
		for i, e := range arr {
			c.walk(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			c.fail(path, "want a string, got %s", describe(v))
			return
		}
		if t.Implements(enumerType) {
			vals := reflect.Zero(t).Interface().(enumer).enumValues()
			for _, ok := range vals {
				if s == ok {
					return
				}
			}
			c.fail(path, "%q is not one of %s", s, quoteAll(vals))
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			c.fail(path, "want true or false, got %s", describe(v))
		}
	case reflect.Int, reflect.Int64:
		n, ok := v.(json.Number)
		if !ok {
			c.fail(path, "want an integer, got %s", describe(v))
			return
		}
		if _, err := n.Int64(); err != nil {
			c.fail(path, "%s is not an integer", n)
		}
	default:
		c.fail(path, "field of Go kind %s is not supported by the contract checker", t.Kind())
	}
}

type field struct {
	name     string
	typ      reflect.Type
	required bool
}

// fields lists a struct's JSON fields, flattening embedded structs as encoding/json does.
func fields(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, fields(f.Type)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, field{name: name, typ: f.Type, required: !strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Slice})
	}
	return out
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	case json.Number:
		return "the number " + x.String()
	case bool:
		return strconv.FormatBool(x)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func jsonKind(v any) string { return describe(v) }

func quoteAll(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

// Marshal encodes an event as its bare JSON detail. A nil slice is written as null, which
// Decode accepts as empty.
func Marshal(e Event) ([]byte, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("marshal %s: %w", e.DetailType(), err)
	}
	return b, nil
}

// Wrap returns the EventBridge envelope that carries e, as the bus would deliver it.
func Wrap(e Event, id, account, region string, at time.Time) ([]byte, error) {
	detail, err := Marshal(e)
	if err != nil {
		return nil, err
	}
	return json.Marshal(Envelope{
		Version: "0", ID: id, DetailType: string(e.DetailType()), Source: string(e.Source()),
		Account: account, Time: at.UTC(), Region: region, Resources: []string{}, Detail: detail,
	})
}
