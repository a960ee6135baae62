// Package eventbridge is a local, durable, EventBridge-compatible event bus.
//
// A Bus speaks the AWS JSON 1.1 protocol of Amazon EventBridge (X-Amz-Target: AWSEvents.<Op>)
// and the subset of Amazon SQS (JSON 1.0 and query protocols) that dead-letter queues need, on
// one loopback HTTP listener, so the real aws-sdk-go-v2 clients and the real `aws` CLI work
// against it unchanged. It has the semantics of a Classic custom bus: rules matched with
// pkg/eventpattern, asynchronous at-least-once delivery with per-target retry policies and
// dead-letter queues, archives and replays. Everything that must survive a crash (buses, rules,
// targets, archives, queues, pending deliveries) lives in SQLite in WAL mode; writes are group
// committed so the bus keeps up with tens of thousands of events per second.
//
// Lambda targets are handed to a Dispatcher (the local Lambda host); SQS targets go to the
// bus's own queues. Every event, match, attempt and dead letter is written to an event log that
// Trace reads by correlation ID, and Tail streams live.
//
// Besides the AWS API the server answers a few local endpoints under /_local/: tail (NDJSON
// stream of live events), trace/{correlation-id}, and dlq (list, show, redrive).
package eventbridge
