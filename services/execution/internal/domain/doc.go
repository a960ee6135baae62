// Package domain holds the execution service's pure rules: how a plan becomes orders with
// deterministic client order IDs, which guard stops a run, how orders are limited, split into
// phases and scaled to the buying power, how a smart limit order is priced and re-pegged, and
// how the orders' fates add up to a run outcome.
//
// Nothing here does I/O, reads the clock or logs: times, prices and balances come in as values.
package domain
