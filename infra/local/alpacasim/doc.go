// Package alpacasim is a local, Alpaca-compatible broker and market-data server. The unmodified
// Alpaca Go client (github.com/alpacahq/alpaca-trade-api-go/v3, alpaca.NewClient and
// marketdata.NewClient with BaseURL pointed here) talks to it.
//
// It serves, on one address:
//   - trading: GET /v2/account; GET, DELETE /v2/positions and /v2/positions/{symbol} (qty or
//     percentage); POST, GET, DELETE /v2/orders; GET, DELETE /v2/orders/{id};
//     GET /v2/orders:by_client_order_id; GET /v2/clock; GET /v2/calendar; GET /v2/assets and
//     /v2/assets/{symbol}; and the trade-updates stream GET /v2/events/trades (server-sent
//     events, kept open);
//   - data: GET /v2/stocks/bars (daily, many symbols, limit and page_token pagination),
//     /v2/stocks/trades/latest, /v2/stocks/quotes/latest and /v2/stocks/snapshots.
//
// Requests must carry the APCA-API-KEY-ID and APCA-API-SECRET-KEY headers. Errors use Alpaca's
// body {"code": ..., "message": ...}: 403 40310000 for insufficient buying power or quantity
// (and notional under $1), 422 40010001 for a duplicate client_order_id, 422 42210000 for an
// invalid fractional order and for cancelling a closed order, 422 40010000 for other invalid
// orders, 404 40410000 for anything not found, 401 40110000 for bad keys and 429 42910000
// (with X-Ratelimit-Limit, -Remaining and -Reset, which every answer carries).
//
// The market follows the NYSE calendar (pkg/nyse) on a simulated clock: it stands still until
// SetTime or Advance moves it, or runs with the wall clock (Config.RealTime). Prices come from
// a marketsim.Source: the last price moves in a straight line from the day's open to its
// close, and quotes have a spread of one to five basis points (at least a cent). Market
// orders fill at the ask (buys) or bid (sells) while the market is open; while it is closed
// they are accepted and fill at the next open. Limit orders fill when marketable against the
// bid or ask. Fractional and notional orders must be market day orders; nothing is ever sold
// short. Open buy orders hold buying power, open sell orders hold quantity; cash and positions
// change on every fill and equity is marked at the last price. Day orders expire at the close.
//
// Faults (latency, 429, 5xx before or after acceptance, dropped connections, rejects, partial
// fills) are injected at seeded rates (Config.Faults) or one by one with FailNext, so
// reliability tests are reproducible; Orders lists every order ever accepted, for counting.
// A Store (package sqlitestore) keeps the account across restarts.
//
// Start one in a test:
//
//	srv, err := alpacasim.New(alpacasim.Config{Seed: 1})
//	url, err := srv.Start("127.0.0.1:0")
//	defer srv.Close()
//	client := alpaca.NewClient(alpaca.ClientOpts{BaseURL: url, APIKey: alpacasim.DefaultKeyID, APISecret: alpacasim.DefaultSecretKey})
package alpacasim
