package lambdaevent_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/contracts/v1/v1example"

	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
	"github.com/alchemiser/alchemiser/pkg/logging"
)

// A service builds its router once, registers a thin handler per consumed detail-type and hands
// the router to lambda.Start. Here the router is invoked directly with the envelope EventBridge
// would deliver, twice: the second delivery is recognised as a duplicate.
func Example() {
	logger := logging.New(io.Discard, slog.LevelInfo) // in main: logging.New(os.Stdout, level)
	pub := eventbus.NewRecorder()
	r := lambdaevent.NewRouter(logger,
		lambdaevent.Logging(logger),
		lambdaevent.Recover(),
		lambdaevent.Timeout(25*time.Second),
		lambdaevent.Idempotency(idempotency.NewMemory(), "portfolio", time.Minute, time.Now),
	)
	r.Handle(v1.TypeSignalGenerated, func(ctx context.Context, msg lambdaevent.Message) error {
		signal := msg.Event.(*v1.SignalGenerated)
		fmt.Printf("planning for %d target weights\n", len(signal.Target))
		return pub.Publish(ctx, v1example.RebalancePlanned())
	})

	payload, _ := v1.Wrap(v1example.SignalGenerated(), "delivery-1", "123456789012", "us-east-1", time.Now())
	for range 2 {
		out, err := r.Invoke(context.Background(), payload)
		fmt.Println(string(out), err)
	}
	fmt.Println(len(pub.Events()), "event published")

	_, err := r.Invoke(context.Background(), []byte(`{"event_type":"SignalGenerated","schema_version":"2.0.0"}`))
	fmt.Println("permanent:", lambdaevent.IsPermanent(err))
	// Output:
	// planning for 3 target weights
	// null <nil>
	// null <nil>
	// 1 event published
	// permanent: true
}
