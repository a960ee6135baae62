package service

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/alchemiser/alchemiser/pkg/emf"
	"github.com/alchemiser/alchemiser/pkg/eventbus"
	"github.com/alchemiser/alchemiser/pkg/lambdaevent"
	"github.com/alchemiser/alchemiser/pkg/sqlitedb"
	"github.com/alchemiser/alchemiser/services/orchestrator/internal/app"
	"github.com/alchemiser/alchemiser/services/orchestrator/internal/handler"
	"github.com/alchemiser/alchemiser/services/orchestrator/store"
)

// Function is the orchestrator's Lambda handler; pass it to lambda.Start. Its Invoke takes the
// start command, the sweep command and the routed events.
type Function struct {
	f *handler.Function
}

// Invoke implements lambda.Handler. A start returns {"correlation_id": ..., "started": bool};
// a sweep returns its counts; an event returns null.
func (f *Function) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f.f.Invoke(ctx, payload)
}

// Deps are parts the caller may supply instead of the ones Config describes; zero fields get
// the defaults. Tests and the local runtime use them to inject a clock, IDs or a store.
type Deps struct {
	Now       func() time.Time
	NewID     func() string
	Publisher eventbus.Publisher
	Store     store.Store
	Metrics   *emf.Recorder
}

// New builds the orchestrator from cfg.
func New(ctx context.Context, cfg Config, logger *slog.Logger) (*Function, error) {
	return NewWithDeps(ctx, cfg, logger, Deps{})
}

// NewWithDeps is New with some parts supplied by the caller.
func NewWithDeps(ctx context.Context, cfg Config, logger *slog.Logger, deps Deps) (*Function, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.NewID == nil {
		deps.NewID = randomID
	}
	if deps.Publisher == nil {
		p, err := cfg.Base.Publisher(ctx, logger)
		if err != nil {
			return nil, err
		}
		deps.Publisher = p
	}
	if deps.Store == nil {
		s, err := OpenStore(ctx, cfg.WorkflowStore)
		if err != nil {
			return nil, err
		}
		deps.Store = s
	}
	if deps.Metrics == nil {
		deps.Metrics = cfg.Base.Metrics(os.Stdout, Producer)
	}
	orch := app.New(deps.Store, eventbus.Guard(deps.Publisher, logger), deps.Now, deps.NewID, app.Settings{
		Producer: Producer, Stage: cfg.Stage, TradingMode: cfg.TradingMode(),
		Deadlines: cfg.Deadlines, RepublishAfter: cfg.RepublishAfter, Metrics: deps.Metrics,
	}, logger)
	r := lambdaevent.NewRouter(logger,
		lambdaevent.Recover(),
		lambdaevent.Logging(logger),
		lambdaevent.MetricsWithClock(deps.Metrics, deps.Now),
	)
	ev := handler.NewEvents(orch)
	for _, t := range handler.RoutedTypes {
		r.Handle(t, ev.OnEvent)
	}
	return &Function{f: handler.NewFunction(orch, r, logger)}, nil
}

// OpenStore opens the workflow store named by spec (see Config.WorkflowStore): in memory, in
// SQLite, or in a DynamoDB table through the default AWS configuration (the function's role).
// The CLI uses it to read the local SQLite store.
func OpenStore(ctx context.Context, spec string) (store.Store, error) {
	sp, err := parseStore(spec)
	if err != nil {
		return nil, err
	}
	switch sp.Kind {
	case "sqlite":
		db, err := sqlitedb.OpenContext(ctx, sp.Arg)
		if err != nil {
			return nil, fmt.Errorf("open workflow database: %w", err)
		}
		s, err := store.NewSQLite(ctx, db)
		if err != nil {
			db.Close()
			return nil, err
		}
		return s, nil
	case "dynamodb":
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("open workflow store %s: load AWS config: %w", sp, err)
		}
		return store.NewDynamoDB(dynamodb.NewFromConfig(awsCfg), sp.Arg), nil
	}
	return store.NewMemory(), nil
}

// randomID returns a random UUID (version 4).
func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
