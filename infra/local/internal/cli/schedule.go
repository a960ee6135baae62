package cli

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/spf13/cobra"

	"github.com/alchemiser/alchemiser/pkg/schedule"
)

// newScheduleCmd is `alchemiser schedule pause|resume --stage S`: the rollback lever. It
// disables or enables a deployed stage's trading schedule through EventBridge Scheduler, keeping
// everything else of the schedule as deployed.
func newScheduleCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "schedule", Short: "Pause or resume a deployed stage's trading schedule"}
	for _, c := range []struct {
		use, short string
		state      types.ScheduleState
	}{
		{"pause", "Disable the trading schedule: no new workflow starts until resume", types.ScheduleStateDisabled},
		{"resume", "Enable the trading schedule again", types.ScheduleStateEnabled},
	} {
		var stage string
		sub := &cobra.Command{
			Use:   c.use + " --stage STAGE",
			Short: c.short,
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				if stage == "" || stage == "local" {
					return ExitError{Code: 2, Err: fmt.Errorf("--stage: name a deployed stage (dev or prod); locally, stop alchemiser local up instead")}
				}
				cfg, err := awsconfig.LoadDefaultConfig(cmd.Context())
				if err != nil {
					return fmt.Errorf("load AWS configuration: %w", err)
				}
				name := schedule.DeployedName(stage, schedule.Trading)
				if err := setScheduleState(cmd, scheduler.NewFromConfig(cfg), name, c.state); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "schedule %s is %s\n", name, c.state)
				return nil
			},
		}
		sub.Flags().StringVar(&stage, "stage", "", "the deployed stage (dev, prod)")
		cmd.AddCommand(sub)
	}
	return cmd
}

// schedulerAPI is the part of the EventBridge Scheduler client that pausing uses.
type schedulerAPI interface {
	GetSchedule(ctx context.Context, in *scheduler.GetScheduleInput, opts ...func(*scheduler.Options)) (*scheduler.GetScheduleOutput, error)
	UpdateSchedule(ctx context.Context, in *scheduler.UpdateScheduleInput, opts ...func(*scheduler.Options)) (*scheduler.UpdateScheduleOutput, error)
}

// setScheduleState rewrites the schedule with a new state. UpdateSchedule replaces the whole
// schedule, so every field is carried over from GetSchedule.
func setScheduleState(cmd *cobra.Command, api schedulerAPI, name string, state types.ScheduleState) error {
	ctx := cmd.Context()
	cur, err := api.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(name)})
	if err != nil {
		return fmt.Errorf("read schedule %s: %w", name, err)
	}
	if cur.State == state {
		return nil
	}
	_, err = api.UpdateSchedule(ctx, &scheduler.UpdateScheduleInput{
		Name: cur.Name, GroupName: cur.GroupName, ScheduleExpression: cur.ScheduleExpression,
		ScheduleExpressionTimezone: cur.ScheduleExpressionTimezone, FlexibleTimeWindow: cur.FlexibleTimeWindow,
		Target: cur.Target, Description: cur.Description, StartDate: cur.StartDate, EndDate: cur.EndDate,
		KmsKeyArn: cur.KmsKeyArn, ActionAfterCompletion: cur.ActionAfterCompletion, State: state,
	})
	if err != nil {
		return fmt.Errorf("update schedule %s to %s: %w", name, state, err)
	}
	return nil
}
