// Package routingbench checks and measures the routing table (contracts/routing) with the real
// event-pattern matcher (pkg/eventpattern), the one the local bus uses: every golden event of
// the contract, in its EventBridge envelope, reaches exactly the services meant to receive it.
// The package has no code of its own, only its tests and benchmarks.
package routingbench
