package eventpattern

import "fmt"

// PatternError reports an invalid event pattern. Reason is AWS EventBridge's own wording where
// AWS has one (for example "Empty arrays are not allowed"); Path locates the offending part of
// the pattern, as dotted field names with [i] for array elements (for example
// "detail.state[0].numeric"). Offset is the byte offset in the pattern text.
type PatternError struct {
	Reason string
	Path   string
	Offset int
}

// Error returns the message in AWS's words followed by the location, for example
// `Event pattern is not valid. Reason: Empty arrays are not allowed (at resources, offset 13)`.
func (e *PatternError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("Event pattern is not valid. Reason: %s (at offset %d)", e.Reason, e.Offset)
	}
	return fmt.Sprintf("Event pattern is not valid. Reason: %s (at %s, offset %d)", e.Reason, e.Path, e.Offset)
}

// EventError reports an event that is not a JSON object.
type EventError struct {
	Reason string
	Offset int
}

// Error describes what is wrong with the event and where.
func (e *EventError) Error() string {
	return fmt.Sprintf("event is not valid JSON: %s (at offset %d)", e.Reason, e.Offset)
}
