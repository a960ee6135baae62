// Package eventpattern implements the Amazon EventBridge event-pattern language. It validates
// patterns as AWS does, with AWS's error wording, and decides whether an event matches exactly
// as EventBridge decides. It is checked against AWS's own TestEventPattern verdicts and against
// the test suite of aws/event-ruler, the library behind EventBridge.
//
// # Patterns
//
// A pattern is a JSON object that mirrors the shape of the events it selects. Each leaf is an
// array of alternatives; a field matches when its value passes any of them, and the pattern
// matches when every field matches. Nested objects and dotted keys are equivalent:
// {"detail":{"state":[...]}} and {"detail.state":[...]} name the same field, and so do
// {"detail":{"state":"x"}} and {"detail.state":"x"} in an event. An alternative is:
//
//   - an exact value: a string, number, true, false or null. Numbers compare by value, so 300
//     matches 3.0e2. A string never matches a number, nor a number a string.
//   - {"prefix": "s"} or {"suffix": "s"}, on string values; each also takes the form
//     {"prefix": {"equals-ignore-case": "s"}}.
//   - {"equals-ignore-case": "s"}.
//   - {"wildcard": "a*b"}, where * matches any run of characters; \* is a literal star and \\ a
//     literal backslash. Two stars in a row are rejected, and so are wildcards that AWS calls
//     "too complex" (approximated here by how many of the stars can be live at once).
//   - {"anything-but": v}, where v is one value or a list of strings or of numbers (never
//     mixed), or {"anything-but": {"prefix"|"suffix"|"wildcard"|"equals-ignore-case": ...}}. It
//     matches any value that is present, null included, except those it names. A missing field
//     never matches.
//   - {"numeric": [op, n]} or {"numeric": [">"|">=", lo, "<"|"<=", hi]}, with op one of =, <, <=,
//     > and >=; it matches number values only.
//   - {"exists": true} or {"exists": false}. Only leaf values exist: an object, or an empty
//     array, counts as absent.
//   - {"cidr": "10.0.0.0/24"}, IPv4 or IPv6, on string values holding an IP address.
//
// {"$or": [{...}, {...}]} (two or more objects, nestable) matches when any branch matches
// together with the fields beside it.
//
// # Arrays
//
// An array in an event matches when any of its elements does. Fields that a pattern takes from
// the same array of objects must all come from one element of it: {"orders":{"symbol":["SPY"],
// "side":["sell"]}} does not match orders [{"symbol":"SPY","side":"buy"},{"symbol":"QQQ",
// "side":"sell"}]. {"exists": false} is judged inside the element the other fields came from.
//
// # Matching many patterns
//
// A Matcher holds named patterns and returns every pattern an event matches in one pass over the
// event's fields: tests are indexed by field path, exact values and prefixes by value, so the
// cost per event follows the size of the event and the tests that fire, not the number of
// patterns. Patterns can be added and removed while other goroutines match.
//
// Parse an event once with ParseEvent to match it against many patterns; matching a parsed
// event does not allocate (Pattern.MatchEvent, Matcher.AppendMatches). Pattern.Match and
// Matcher.Match take raw JSON: they check the whole event's syntax but build only the fields
// their patterns test, in pooled memory, so they do not allocate either (apart from the
// returned names).
//
// # Errors
//
// Compile returns a *PatternError whose Reason is AWS's wording (for example "Empty arrays are
// not allowed" or "Value of anything-but must be an array or single string/number value."), and
// whose Path and Offset locate the problem in the pattern. Events that are not a JSON object
// give an *EventError.
//
// # Conformance
//
// The tests read three corpora from shared/conformance/eventpattern, a sibling of the
// repository: AWS's own TestEventPattern verdicts, the cases of aws/event-ruler's unit tests,
// and event-ruler's array-consistency cases; every case must agree. Where that folder is absent
// they skip. The cases in testdata/, written from the EventBridge documentation, always run.
package eventpattern
