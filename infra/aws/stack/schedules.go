package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsscheduler"
	"github.com/aws/jsii-runtime-go"

	"github.com/alchemiser/alchemiser/contracts/routing"
	"github.com/alchemiser/alchemiser/pkg/schedule"
)

// schedules creates an EventBridge Scheduler schedule for each definition of pkg/schedule, the
// same definitions the local scheduler fires. Each targets the orchestrator with its input,
// with a retry policy and a dead-letter queue.
func (b *built) schedules() {
	defs, err := schedule.ForStage(b.stage.Name, b.stage.TradingSchedule)
	if err != nil {
		panic(err) // Validate already checked the stage
	}
	role := awsiam.NewRole(b.stack, jsii.String("SchedulerRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("scheduler.amazonaws.com"), nil),
		Description: jsii.String("Lets EventBridge Scheduler start Alchemiser workflows."),
	})
	dlq := b.queue("SchedulerDLQ", "scheduler-dlq")
	dlq.GrantSendMessages(role)
	for _, d := range defs {
		fn := b.functions[routing.Service(d.Target)]
		fn.GrantInvoke(role)
		state := "ENABLED"
		if d.Name == schedule.Trading && !b.stage.ScheduleEnabled {
			state = "DISABLED"
		}
		awsscheduler.NewCfnSchedule(b.stack, jsii.String(title(d.Name)+"Schedule"), &awsscheduler.CfnScheduleProps{
			Name:                       jsii.String(schedule.DeployedName(b.stage.Name, d.Name)),
			Description:                jsii.String(d.Description),
			ScheduleExpression:         jsii.String(d.Expression),
			ScheduleExpressionTimezone: jsii.String(d.TimeZone),
			FlexibleTimeWindow:         &awsscheduler.CfnSchedule_FlexibleTimeWindowProperty{Mode: jsii.String("OFF")},
			State:                      jsii.String(state),
			Target: &awsscheduler.CfnSchedule_TargetProperty{
				Arn:     fn.FunctionArn(),
				RoleArn: role.RoleArn(),
				Input:   jsii.String(d.Input),
				RetryPolicy: &awsscheduler.CfnSchedule_RetryPolicyProperty{
					MaximumRetryAttempts:     jsii.Number(float64(d.MaximumRetryAttempts)),
					MaximumEventAgeInSeconds: jsii.Number(float64(d.MaximumEventAgeSeconds)),
				},
				DeadLetterConfig: &awsscheduler.CfnSchedule_DeadLetterConfigProperty{Arn: dlq.QueueArn()},
			},
		})
	}
}
