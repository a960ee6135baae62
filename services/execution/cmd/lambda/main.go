// Command lambda is the execution service's AWS Lambda function: it trades each
// RebalancePlanned exactly once and publishes TradeExecuted.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/alchemiser/alchemiser/pkg/logging"
	"github.com/alchemiser/alchemiser/pkg/secrets"
	"github.com/alchemiser/alchemiser/services/execution/service"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "execution:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	// ALPACA_SECRET_ARN names the Secrets Manager secret holding the Alpaca keys: read once here,
	// it answers ALPACA_KEY_ID and ALPACA_SECRET_KEY without entering the environment.
	getenv, err := secrets.FromProcess(ctx)
	if err != nil {
		return fmt.Errorf("resolve secrets: %w", err)
	}
	cfg, err := service.ConfigFromEnv(getenv)
	if err != nil {
		return err
	}
	logger := logging.New(os.Stdout, cfg.LogLevel)
	logger.InfoContext(ctx, "starting execution", "config", cfg.String())
	router, err := service.New(ctx, cfg, logger)
	if err != nil {
		return fmt.Errorf("build execution service: %w", err)
	}
	lambda.Start(router)
	return nil
}
