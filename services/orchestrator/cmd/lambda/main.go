// Command lambda is the orchestrator's AWS Lambda function: it starts workflows, moves them on
// with each step's event, sweeps for stuck ones and publishes each workflow's one terminal
// outcome and notification.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/alchemiser/alchemiser/pkg/logging"
	"github.com/alchemiser/alchemiser/services/orchestrator/service"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "orchestrator:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := service.ConfigFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	logger := logging.New(os.Stdout, cfg.LogLevel)
	logger.InfoContext(ctx, "starting orchestrator", "config", cfg.String())
	fn, err := service.New(ctx, cfg, logger)
	if err != nil {
		return fmt.Errorf("build orchestrator service: %w", err)
	}
	lambda.Start(fn)
	return nil
}
