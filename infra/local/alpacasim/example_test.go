package alpacasim_test

import (
	"fmt"
	"time"

	"github.com/alpacahq/alpaca-trade-api-go/v3/alpaca"
	"github.com/shopspring/decimal"

	"github.com/alchemiser/alchemiser/infra/local/alpacasim"
	"github.com/alchemiser/alchemiser/pkg/nyse"
)

// Start a simulator on a free loopback port and trade through the unmodified Alpaca client.
// An order placed on a holiday is accepted and fills at the next open.
func Example() {
	srv, err := alpacasim.New(alpacasim.Config{Seed: 1, AsOf: time.Date(2024, 3, 29, 11, 0, 0, 0, nyse.NewYork)})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	client := alpaca.NewClient(alpaca.ClientOpts{BaseURL: url, APIKey: alpacasim.DefaultKeyID, APISecret: alpacasim.DefaultSecretKey})

	qty := decimal.NewFromInt(10)
	o, err := client.PlaceOrder(alpaca.PlaceOrderRequest{Symbol: "TQQQ", Qty: &qty, Side: alpaca.Buy, Type: alpaca.Market, TimeInForce: alpaca.Day, ClientOrderID: "example-1"})
	if err != nil {
		panic(err)
	}
	fmt.Println("on Good Friday:", o.Status)

	srv.SetTime(time.Date(2024, 4, 1, 9, 45, 0, 0, nyse.NewYork))
	o, _ = client.GetOrder(o.ID)
	fmt.Println("after Monday's open:", o.Status, o.FilledQty)
	fmt.Println("orders in the log:", len(srv.Orders()))
	// Output:
	// on Good Friday: accepted
	// after Monday's open: filled 10
	// orders in the log: 1
}
