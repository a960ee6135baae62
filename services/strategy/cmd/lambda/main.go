// Command lambda is the strategy service's AWS Lambda function: it evaluates the stage's
// bundled symphonies on each WorkflowStarted and publishes SignalGenerated.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/alchemiser/alchemiser/pkg/logging"
	"github.com/alchemiser/alchemiser/services/strategy/service"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "strategy:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := service.ConfigFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	logger := logging.New(os.Stdout, cfg.LogLevel)
	logger.InfoContext(ctx, "starting strategy", "config", cfg.String())
	router, err := service.New(ctx, cfg, logger)
	if err != nil {
		return fmt.Errorf("build strategy service: %w", err)
	}
	lambda.Start(router)
	return nil
}
