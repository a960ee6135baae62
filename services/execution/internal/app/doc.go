// Package app holds the execution use case: guard a plan, then trade it (or simulate it) and
// say what became of every order. It declares the ports it needs (Broker, TradeUpdates, Clock);
// adapters implement them.
//
// # Exactly once
//
// Every order's client order ID is derived from the correlation ID, the plan ID, the symbol,
// the side and the leg (domain.ClientOrderID). A run first lists the orders the broker already
// has under the plan's tag and adopts them; it places only what is missing, and a duplicate
// client order ID at placement means an earlier delivery placed the order, which is then
// adopted too. So a redelivered event, a retried Lambda or two deliveries at once all end with
// one order per client order ID, and each run reports the same orders.
//
// # A live run
//
//  1. Cancel this system's stale open orders (its prefix, another plan's tag); never others'.
//  2. Sell phase: place the sells, wait for their fills or the phase timeout.
//  3. Wait for the buying power to settle when the buys do not fit yet.
//  4. Buy phase: scale the buys to what can be spent, place them, wait.
//  5. Cancel what is still open after a timeout, and report every order.
//
// Fills are watched on the trade-updates stream and polled between updates. Every wait ends
// before the context's deadline less a safety margin, so the report is always published.
//
// # Dry runs
//
// A replayed event or a dry-run workflow is simulated by dryRun, which holds only a
// MarketReader: it has no way to place, cancel or close anything.
package app
