// Package v1 is version 1 of the event contract between Alchemiser's bounded contexts.
//
// Every event is a Go type that embeds Metadata. The EventBridge `source` and `detail-type` of
// each event are constants here (Source*, Type*), used by publishers and by the routing table
// alike, so a rule can never wait for a source that nobody publishes.
//
// Money, prices, quantities and weights are Decimal: a string in JSON, a decimal in Go, never a
// float64.
//
// Decode accepts a payload bare or wrapped in an EventBridge envelope, says which, reports an
// archive replay's replay-name, and validates: every problem is named by its field path. The
// compatibility policy (see contracts/README.md) is enforced by Decode:
//
//   - unknown fields are an error in an event of this package's minor version or older;
//   - unknown fields of a newer minor version (1.x) are accepted and listed in UnknownFields;
//   - another major version is an error wrapping ErrUnsupportedVersion.
//
// JSONSchema derives each event's JSON Schema (draft 2020-12) from the same Go types; the copies
// checked in under contracts/schemas/v1 are tested against the types and the golden fixtures.
package v1
