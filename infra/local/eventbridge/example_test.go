package eventbridge_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
)

// dispatchFunc adapts a function to eventbridge.Dispatcher.
type dispatchFunc func(ctx context.Context, arn string, event []byte) error

func (f dispatchFunc) Dispatch(ctx context.Context, arn string, event []byte) error {
	return f(ctx, arn, event)
}

// Example opens a bus, routes one rule to a Lambda function and puts an event on it.
func Example() {
	dir, _ := os.MkdirTemp("", "bus")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	delivered := make(chan string, 1)
	bus, err := eventbridge.Open(ctx, eventbridge.Config{
		Path: filepath.Join(dir, "bus.db"),
		Lambda: dispatchFunc(func(_ context.Context, arn string, _ []byte) error {
			delivered <- arn
			return nil
		}),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer bus.Close()
	_, _ = bus.PutRule(ctx, eventbridge.PutRuleInput{Name: "signals", EventPattern: `{"source":["alchemiser.strategy"]}`})
	_, _ = bus.PutTargets(ctx, "", "signals", []eventbridge.Target{{Id: "portfolio", Arn: bus.FunctionARN("portfolio")}})
	res, _ := bus.PutEvents(ctx, []eventbridge.PutEventsRequestEntry{{Source: "alchemiser.strategy", DetailType: "SignalGenerated", Detail: `{}`}})
	fmt.Println("accepted:", res[0].ErrorCode == "")
	fmt.Println("delivered to:", <-delivered)
	// Output:
	// accepted: true
	// delivered to: arn:aws:lambda:us-east-1:000000000000:function:portfolio
}
