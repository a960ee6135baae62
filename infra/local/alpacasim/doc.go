// Package alpacasim is a local, Alpaca-compatible broker and market-data server. The unmodified
// Alpaca Go client (github.com/alpacahq/alpaca-trade-api-go/v3, alpaca.NewClient and
// marketdata.NewClient with BaseURL pointed here) talks to it.
//
// It serves the trading endpoints (account, positions, orders, clock, calendar, assets and
// the trade-updates stream at /v2/events/trades) and the stock data endpoints (multi-symbol
// daily bars with pagination, latest trades and quotes, snapshots) on one address, with
// Alpaca's error bodies and codes. Prices come from a marketsim.Source; the market follows the
// NYSE calendar on a simulated clock that tests control with SetTime and Advance. Orders
// placed while the market is closed are accepted and fill at the next open. Faults (latency,
// 429, 5xx, dropped connections, rejects, partial fills) are seeded, or scheduled one by one
// with FailNext, so reliability tests are reproducible.
//
// Start one in a test:
//
//	srv, err := alpacasim.New(alpacasim.Config{Seed: 1})
//	url, err := srv.Start("127.0.0.1:0")
//	defer srv.Close()
//	client := alpaca.NewClient(alpaca.ClientOpts{BaseURL: url, APIKey: alpacasim.DefaultKeyID, APISecret: alpacasim.DefaultSecretKey})
package alpacasim
