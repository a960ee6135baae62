// Package alpacaclient adapts Alpaca's Go client (github.com/alpacahq/alpaca-trade-api-go/v3)
// to Alchemiser: trading (account, positions, orders, clock, calendar, assets) and market data
// (multi-symbol daily bars, latest quotes and trades), with decimal value types from
// pkg/market, typed errors, a process-wide rate limit of 200 requests a minute and safe order
// placement.
//
// The package is named alpacaclient so it does not clash with the upstream package alpaca.
//
// Safety rules it enforces:
//   - The trading URL is always explicit, and a live URL (https://api.alpaca.markets) is
//     refused unless ALPACA_LIVE=true and STAGE=prod are both set (Config.Validate).
//   - PlaceOrder never resubmits blindly. After an ambiguous failure (timeout, 5xx, dropped
//     connection, or the upstream client's broken 429 retry, which resends an empty body and
//     fails with "ContentLength=N with Body length 0") it looks the order up by its
//     client_order_id first, and resubmits with the same client_order_id only if the broker
//     has no such order. A 422 "duplicate client_order_id" means the order was already placed:
//     the existing order is returned.
//   - Reads are retried with backoff; writes are never retried on a 5xx without a lookup.
//   - A missing quote or bar is absent from the result (or ErrNoData), never a zero price.
package alpacaclient
