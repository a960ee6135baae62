package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/jsii-runtime-go"

	"github.com/alchemiser/alchemiser/contracts/routing"
)

// The services' Embedded Metric Format figures that the dashboard and alarms read. The services
// write them with pkg/emf in namespace MetricNamespace with the dimensions Stage and Service.
const (
	MetricNamespace          = "Alchemiser"
	MetricWorkflowsCompleted = "WorkflowsCompleted"
	MetricWorkflowsFailed    = "WorkflowsFailed"
	MetricWorkflowDuration   = "WorkflowDurationMs"
	MetricOrdersPlaced       = "OrdersPlaced"
	MetricOrdersFilled       = "OrdersFilled"
	MetricAccountEquity      = "AccountEquity"
)

// metricService says which service writes each custom figure.
var metricService = map[string]routing.Service{
	MetricWorkflowsCompleted: routing.Orchestrator, MetricWorkflowsFailed: routing.Orchestrator,
	MetricWorkflowDuration: routing.Orchestrator, MetricOrdersPlaced: routing.Execution,
	MetricOrdersFilled: routing.Execution, MetricAccountEquity: routing.Portfolio,
}

func (b *built) custom(name, stat string, period awscdk.Duration) awscloudwatch.Metric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:  jsii.String(MetricNamespace),
		MetricName: jsii.String(name),
		DimensionsMap: &map[string]*string{
			"Stage": jsii.String(b.stage.Name), "Service": jsii.String(string(metricService[name])),
		},
		Statistic: jsii.String(stat),
		Period:    period,
	})
}

// observability builds the stage's dashboard, and the alarms with their SNS topic.
func (b *built) observability() {
	fiveMin := awscdk.Duration_Minutes(jsii.Number(5))
	oneDay := awscdk.Duration_Days(jsii.Number(1))
	dash := awscloudwatch.NewDashboard(b.stack, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName: jsii.String(b.name("")),
	})
	graph := func(title string, left []awscloudwatch.IMetric) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(title), Left: &left, Width: jsii.Number(8), Height: jsii.Number(6),
		})
	}
	var invocations, errs, p50, p99, throttles []awscloudwatch.IMetric
	for _, svc := range routing.Services() {
		fn := b.functions[svc]
		label := &awscloudwatch.MetricOptions{Label: jsii.String(string(svc)), Period: fiveMin}
		invocations = append(invocations, fn.MetricInvocations(label))
		errs = append(errs, fn.MetricErrors(label))
		throttles = append(throttles, fn.MetricThrottles(label))
		p50 = append(p50, fn.MetricDuration(&awscloudwatch.MetricOptions{Label: jsii.String(string(svc) + " p50"), Statistic: jsii.String("p50"), Period: fiveMin}))
		p99 = append(p99, fn.MetricDuration(&awscloudwatch.MetricOptions{Label: jsii.String(string(svc) + " p99"), Statistic: jsii.String("p99"), Period: fiveMin}))
	}
	var depth []awscloudwatch.IMetric
	for _, q := range b.dlqs {
		depth = append(depth, q.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{
			Label: q.QueueName(), Statistic: jsii.String("Maximum"), Period: fiveMin,
		}))
	}
	dash.AddWidgets(
		graph("Invocations per function", invocations),
		graph("Errors per function", errs),
		graph("Throttles per function", throttles),
	)
	dash.AddWidgets(
		graph("Duration p50 per function", p50),
		graph("Duration p99 per function", p99),
		graph("Dead-letter queue depth", depth),
	)
	dash.AddWidgets(
		graph("Workflows completed and failed", []awscloudwatch.IMetric{
			b.custom(MetricWorkflowsCompleted, "Sum", oneDay), b.custom(MetricWorkflowsFailed, "Sum", oneDay)}),
		graph("Orders placed and filled", []awscloudwatch.IMetric{
			b.custom(MetricOrdersPlaced, "Sum", oneDay), b.custom(MetricOrdersFilled, "Sum", oneDay)}),
		graph("End-to-end workflow duration (ms)", []awscloudwatch.IMetric{
			b.custom(MetricWorkflowDuration, "p50", oneDay), b.custom(MetricWorkflowDuration, "Maximum", oneDay)}),
		graph("Account equity", []awscloudwatch.IMetric{b.custom(MetricAccountEquity, "Maximum", oneDay)}),
	)

	topic := awssns.NewTopic(b.stack, jsii.String("Alarms"), &awssns.TopicProps{
		TopicName:   jsii.String(b.name("alarms")),
		DisplayName: jsii.String("Alchemiser " + b.stage.Name + " alarms"),
		EnforceSSL:  jsii.Bool(true),
	})
	topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(b.stage.AlarmEmail), nil))
	action := awscloudwatchactions.NewSnsAction(topic)
	alarm := func(id, desc string, metric awscloudwatch.IMetric, threshold float64, missing awscloudwatch.TreatMissingData) {
		a := awscloudwatch.NewAlarm(b.stack, jsii.String(id), &awscloudwatch.AlarmProps{
			AlarmName:          jsii.String(b.name(id)),
			AlarmDescription:   jsii.String(desc),
			Metric:             metric,
			Threshold:          jsii.Number(threshold),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_THRESHOLD,
			EvaluationPeriods:  jsii.Number(1),
			TreatMissingData:   missing,
		})
		a.AddAlarmAction(action)
	}
	for _, q := range b.dlqs {
		id := *awscdk.Names_NodeUniqueId(q.Node()) + "NotEmpty"
		alarm(id, "A dead-letter queue holds messages: an event was not handled. Inspect and redrive it.",
			q.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Statistic: jsii.String("Maximum"), Period: awscdk.Duration_Minutes(jsii.Number(1))}),
			0, awscloudwatch.TreatMissingData_NOT_BREACHING)
	}
	alarm("WorkflowFailed", "A workflow failed. The failure email has the report.",
		b.custom(MetricWorkflowsFailed, "Sum", fiveMin), 0, awscloudwatch.TreatMissingData_NOT_BREACHING)

	// No workflow completed on a weekday. The orchestrator runs its sweep every minute, so its
	// invocation count has a data point every day and carries the day of the week; exchange
	// holidays alarm too, which is stated in the alarm's description.
	noRun := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String("IF(DAY(inv) <= 5 AND FILL(done, 0) < 1, 1, 0)"),
		UsingMetrics: &map[string]awscloudwatch.IMetric{
			"inv":  b.functions[routing.Orchestrator].MetricInvocations(&awscloudwatch.MetricOptions{Period: oneDay, Statistic: jsii.String("Sum")}),
			"done": b.custom(MetricWorkflowsCompleted, "Sum", oneDay),
		},
		Label:  jsii.String("weekday without a completed workflow"),
		Period: oneDay,
	})
	alarm("NoWorkflowCompleted", "No workflow completed on a weekday (exchange holidays alarm too: check the NYSE calendar).",
		noRun, 0, awscloudwatch.TreatMissingData_BREACHING)

	for _, svc := range routing.Services() {
		fn := b.functions[svc]
		expr := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression: jsii.String("FILL(e, 0) + FILL(t, 0)"),
			UsingMetrics: &map[string]awscloudwatch.IMetric{
				"e": fn.MetricErrors(&awscloudwatch.MetricOptions{Period: fiveMin}),
				"t": fn.MetricThrottles(&awscloudwatch.MetricOptions{Period: fiveMin}),
			},
			Label:  jsii.String(string(svc) + " errors and throttles"),
			Period: fiveMin,
		})
		alarm(title(string(svc))+"ErrorsOrThrottles", "The "+string(svc)+" function returned errors or was throttled.",
			expr, 0, awscloudwatch.TreatMissingData_NOT_BREACHING)
	}
}
