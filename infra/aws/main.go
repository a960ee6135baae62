// Command infra is the CDK app: `cdk synth -c stage=dev` builds the stack of one stage.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/alchemiser/alchemiser/infra/aws/stack"
)

func main() {
	defer jsii.Close()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		jsii.Close()
		os.Exit(1)
	}
}

func run() error {
	app := awscdk.NewApp(nil)
	name, _ := app.Node().TryGetContext(jsii.String("stage")).(string)
	if name == "" {
		name = "dev"
	}
	stage, err := stack.StageNamed(name)
	if err != nil {
		return err
	}
	if v, ok := app.Node().TryGetContext(jsii.String("schedule")).(string); ok && v != "" {
		stage.TradingSchedule = v
	}
	if err := stage.Validate(); err != nil {
		return err
	}
	assets, err := filepath.Abs(filepath.Join("..", "..", "build"))
	if err != nil {
		return err
	}
	for _, svc := range []string{"strategy", "portfolio", "execution", "orchestrator", "notifier"} {
		if _, err := os.Stat(filepath.Join(assets, svc, "bootstrap")); err != nil {
			return fmt.Errorf("missing %s/%s/bootstrap: run `make build` first", assets, svc)
		}
	}
	if _, err := stack.New(app, stack.Props{Stage: stage, AssetDir: assets}); err != nil {
		return err
	}
	app.Synth(nil)
	return nil
}
