// Command lambda is the notifier's AWS Lambda function: it sends each workflow's one email and
// alerts for errors outside workflows.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/alchemiser/alchemiser/pkg/logging"
	"github.com/alchemiser/alchemiser/services/notifier/service"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "notifier:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := service.ConfigFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	logger := logging.New(os.Stdout, cfg.LogLevel)
	logger.InfoContext(ctx, "starting notifier", "config", cfg.String())
	router, err := service.New(ctx, cfg, logger)
	if err != nil {
		return fmt.Errorf("build notifier service: %w", err)
	}
	lambda.Start(router)
	return nil
}
