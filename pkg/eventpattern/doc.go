// Package eventpattern implements the Amazon EventBridge event-pattern language: it validates
// patterns as AWS does and decides whether an event matches exactly as EventBridge decides.
package eventpattern
