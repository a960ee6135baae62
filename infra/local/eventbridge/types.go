package eventbridge

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

// Epoch is a timestamp in AWS JSON's wire form: seconds since the Unix epoch, as a number.
type Epoch time.Time

// MarshalJSON writes seconds since the epoch with millisecond precision.
func (e Epoch) MarshalJSON() ([]byte, error) {
	t := time.Time(e)
	if t.IsZero() {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(t.UnixMilli())/1000, 'f', -1, 64), nil
}

// UnmarshalJSON reads seconds since the epoch (a number, possibly fractional) or an RFC 3339
// string.
func (e *Epoch) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*e = Epoch{}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("parse timestamp %q: %w", s, err)
		}
		*e = Epoch(t)
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("parse timestamp %s: not a number of seconds", b)
	}
	sec, frac := math.Modf(f)
	*e = Epoch(time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC())
	return nil
}

func epochPtr(t time.Time) *Epoch {
	if t.IsZero() {
		return nil
	}
	e := Epoch(t)
	return &e
}

// APIError is an error in AWS's wire shape: an exception name and a message.
type APIError struct {
	Status  int
	Type    string
	Message string
}

// Error returns "Type: Message".
func (e *APIError) Error() string { return e.Type + ": " + e.Message }

func validationErr(format string, args ...any) *APIError {
	return &APIError{Status: http.StatusBadRequest, Type: "ValidationException", Message: fmt.Sprintf(format, args...)}
}

func notFoundErr(format string, args ...any) *APIError {
	return &APIError{Status: http.StatusBadRequest, Type: "ResourceNotFoundException", Message: fmt.Sprintf(format, args...)}
}

func existsErr(format string, args ...any) *APIError {
	return &APIError{Status: http.StatusBadRequest, Type: "ResourceAlreadyExistsException", Message: fmt.Sprintf(format, args...)}
}

func patternErr(msg string) *APIError {
	return &APIError{Status: http.StatusBadRequest, Type: "InvalidEventPatternException", Message: msg}
}

func internalErr(err error) *APIError {
	return &APIError{Status: http.StatusInternalServerError, Type: "InternalException", Message: err.Error()}
}

// PutEventsRequestEntry is one event of a PutEvents call.
type PutEventsRequestEntry struct {
	Source       string   `json:"Source,omitempty"`
	DetailType   string   `json:"DetailType,omitempty"`
	Detail       string   `json:"Detail,omitempty"`
	Resources    []string `json:"Resources,omitempty"`
	Time         *Epoch   `json:"Time,omitempty"`
	EventBusName string   `json:"EventBusName,omitempty"`
	TraceHeader  string   `json:"TraceHeader,omitempty"`
}

// PutEventsResultEntry is the outcome of one entry: an EventId or an error.
type PutEventsResultEntry struct {
	EventId      string `json:"EventId,omitempty"` //nolint:revive // AWS's field name
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

// RetryPolicy is a target's retry policy.
type RetryPolicy struct {
	MaximumRetryAttempts     *int `json:"MaximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int `json:"MaximumEventAgeInSeconds,omitempty"`
}

// DeadLetterConfig names a target's dead-letter queue.
type DeadLetterConfig struct {
	Arn string `json:"Arn,omitempty"`
}

// Target is a rule's target, in the shape PutTargets takes and ListTargetsByRule returns.
// Fields the local bus does not act on are kept and returned as given.
type Target struct {
	Id               string            `json:"Id"` //nolint:revive // AWS's field name
	Arn              string            `json:"Arn"`
	RoleArn          string            `json:"RoleArn,omitempty"`
	Input            string            `json:"Input,omitempty"`
	InputPath        string            `json:"InputPath,omitempty"`
	RetryPolicy      *RetryPolicy      `json:"RetryPolicy,omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:"DeadLetterConfig,omitempty"`
	InputTransformer json.RawMessage   `json:"InputTransformer,omitempty"`
	SqsParameters    json.RawMessage   `json:"SqsParameters,omitempty"`
}

func (t Target) maxRetries() int {
	if t.RetryPolicy != nil && t.RetryPolicy.MaximumRetryAttempts != nil {
		return *t.RetryPolicy.MaximumRetryAttempts
	}
	return DefaultMaximumRetryAttempts
}

func (t Target) maxAge() int {
	if t.RetryPolicy != nil && t.RetryPolicy.MaximumEventAgeInSeconds != nil {
		return *t.RetryPolicy.MaximumEventAgeInSeconds
	}
	return DefaultMaximumEventAgeInSeconds
}

func (t Target) dlq() string {
	if t.DeadLetterConfig != nil {
		return t.DeadLetterConfig.Arn
	}
	return ""
}

// PutRuleInput is the input of PutRule.
type PutRuleInput struct {
	Name               string `json:"Name"`
	EventPattern       string `json:"EventPattern,omitempty"`
	ScheduleExpression string `json:"ScheduleExpression,omitempty"`
	State              string `json:"State,omitempty"`
	Description        string `json:"Description,omitempty"`
	RoleArn            string `json:"RoleArn,omitempty"`
	EventBusName       string `json:"EventBusName,omitempty"`
}

// Rule describes a rule, as DescribeRule returns it.
type Rule struct {
	Name               string `json:"Name"`
	Arn                string `json:"Arn"`
	EventPattern       string `json:"EventPattern,omitempty"`
	ScheduleExpression string `json:"ScheduleExpression,omitempty"`
	State              string `json:"State"`
	Description        string `json:"Description,omitempty"`
	RoleArn            string `json:"RoleArn,omitempty"`
	ManagedBy          string `json:"ManagedBy,omitempty"`
	EventBusName       string `json:"EventBusName"`
	CreatedBy          string `json:"CreatedBy,omitempty"`
}

// EventBus describes a bus.
type EventBus struct {
	Name             string `json:"Name"`
	Arn              string `json:"Arn"`
	Description      string `json:"Description,omitempty"`
	CreationTime     *Epoch `json:"CreationTime,omitempty"`
	LastModifiedTime *Epoch `json:"LastModifiedTime,omitempty"`
}

// Archive describes an archive.
type Archive struct {
	ArchiveName    string `json:"ArchiveName"`
	ArchiveArn     string `json:"ArchiveArn,omitempty"`
	EventSourceArn string `json:"EventSourceArn"`
	Description    string `json:"Description,omitempty"`
	EventPattern   string `json:"EventPattern,omitempty"`
	State          string `json:"State"`
	RetentionDays  int    `json:"RetentionDays"`
	SizeBytes      int64  `json:"SizeBytes"`
	EventCount     int64  `json:"EventCount"`
	CreationTime   *Epoch `json:"CreationTime,omitempty"`
}

// ReplayDestination says where a replay sends events and, optionally, to which rules only.
type ReplayDestination struct {
	Arn        string   `json:"Arn"`
	FilterArns []string `json:"FilterArns,omitempty"`
}

// StartReplayInput is the input of StartReplay.
type StartReplayInput struct {
	ReplayName     string            `json:"ReplayName"`
	Description    string            `json:"Description,omitempty"`
	EventSourceArn string            `json:"EventSourceArn"`
	EventStartTime *Epoch            `json:"EventStartTime"`
	EventEndTime   *Epoch            `json:"EventEndTime"`
	Destination    ReplayDestination `json:"Destination"`
}

// Replay describes a replay, as DescribeReplay returns it.
type Replay struct {
	ReplayName            string             `json:"ReplayName"`
	ReplayArn             string             `json:"ReplayArn,omitempty"`
	Description           string             `json:"Description,omitempty"`
	State                 string             `json:"State"`
	StateReason           string             `json:"StateReason,omitempty"`
	EventSourceArn        string             `json:"EventSourceArn"`
	Destination           *ReplayDestination `json:"Destination,omitempty"`
	EventStartTime        *Epoch             `json:"EventStartTime,omitempty"`
	EventEndTime          *Epoch             `json:"EventEndTime,omitempty"`
	EventLastReplayedTime *Epoch             `json:"EventLastReplayedTime,omitempty"`
	ReplayStartTime       *Epoch             `json:"ReplayStartTime,omitempty"`
	ReplayEndTime         *Epoch             `json:"ReplayEndTime,omitempty"`
}

// The replay states.
const (
	ReplayStarting   = "STARTING"
	ReplayRunning    = "RUNNING"
	ReplayCancelling = "CANCELLING"
	ReplayCompleted  = "COMPLETED"
	ReplayCancelled  = "CANCELLED"
	ReplayFailed     = "FAILED"
)
