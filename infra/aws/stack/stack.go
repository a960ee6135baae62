package stack

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdadestinations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/alchemiser/alchemiser/contracts/routing"
	v1 "github.com/alchemiser/alchemiser/contracts/v1"
)

// Props configures the stack.
type Props struct {
	awscdk.StackProps
	// Stage is the validated stage configuration.
	Stage Stage
	// AssetDir holds each service's build/<service>/bootstrap, as `make build` writes them.
	AssetDir string
}

// built holds what the parts of the stack share.
type built struct {
	stack     awscdk.Stack
	stage     Stage
	bus       awsevents.EventBus
	functions map[routing.Service]awslambda.Function
	// dlqs are every dead-letter queue, for the dashboard and the alarms, in a stable order.
	dlqs []awssqs.Queue
}

// sources says which source each service may publish with; the notifier publishes nothing.
var sources = map[routing.Service]v1.Source{
	routing.Strategy:     v1.SourceStrategy,
	routing.Portfolio:    v1.SourcePortfolio,
	routing.Execution:    v1.SourceExecution,
	routing.Orchestrator: v1.SourceOrchestrator,
}

// New builds the stack of one stage.
func New(scope constructs.Construct, props Props) (awscdk.Stack, error) {
	if err := props.Stage.Validate(); err != nil {
		return nil, err
	}
	if props.AssetDir == "" {
		return nil, fmt.Errorf("stack: AssetDir (the build folder with <service>/bootstrap) is required")
	}
	s := props.Stage
	sp := props.StackProps
	if sp.Description == nil {
		sp.Description = jsii.String(fmt.Sprintf("Alchemiser %s: event-driven portfolio rebalancer", s.Name))
	}
	if s.Account != "" || s.Region != "" {
		sp.Env = &awscdk.Environment{Account: strOrNil(s.Account), Region: strOrNil(s.Region)}
	}
	st := awscdk.NewStack(scope, jsii.String("alchemiser-"+s.Name), &sp)
	awscdk.Tags_Of(st).Add(jsii.String("app"), jsii.String("alchemiser"), nil)
	awscdk.Tags_Of(st).Add(jsii.String("stage"), jsii.String(s.Name), nil)

	b := &built{stack: st, stage: s, functions: map[routing.Service]awslambda.Function{}}
	b.bus = awsevents.NewEventBus(st, jsii.String("Bus"), &awsevents.EventBusProps{
		EventBusName: jsii.String(b.name("")),
	})
	b.bus.Archive(jsii.String("Archive"), &awsevents.BaseArchiveProps{
		ArchiveName: jsii.String(b.name("archive")),
		Description: jsii.String("Every event on the bus, for replay. Replayed events carry replay-name and never trade."),
		EventPattern: &awsevents.EventPattern{
			Account: jsii.Strings(*st.Account()),
		},
		Retention: awscdk.Duration_Days(jsii.Number(float64(s.ArchiveRetentionDays))),
	})

	secrets := b.secrets()
	tables := b.tables()
	for _, svc := range routing.Services() {
		b.function(svc, props.AssetDir, secrets, tables)
	}
	b.rules()
	b.schedules()
	b.schemas()
	b.observability()
	return st, nil
}

func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return jsii.String(s)
}

// name returns a stage-qualified resource name: alchemiser-<stage>[-suffix].
func (b *built) name(suffix string) string {
	if suffix == "" {
		return "alchemiser-" + b.stage.Name
	}
	return "alchemiser-" + b.stage.Name + "-" + suffix
}

func (b *built) removal() awscdk.RemovalPolicy {
	if b.stage.Name == "prod" {
		return awscdk.RemovalPolicy_RETAIN
	}
	return awscdk.RemovalPolicy_DESTROY
}

func (b *built) queue(id, name string) awssqs.Queue {
	q := awssqs.NewQueue(b.stack, jsii.String(id), &awssqs.QueueProps{
		QueueName:       jsii.String(b.name(name)),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
	})
	b.dlqs = append(b.dlqs, q)
	return q
}

type secretSet struct{ alpaca, smtp awssecretsmanager.Secret }

// secrets creates the stage's secrets with placeholder values; the operator sets the real
// values once after the first deploy (see README). Functions get their ARNs, never the values.
func (b *built) secrets() secretSet {
	mk := func(id, name, desc, template, key string) awssecretsmanager.Secret {
		return awssecretsmanager.NewSecret(b.stack, jsii.String(id), &awssecretsmanager.SecretProps{
			SecretName:  jsii.String("alchemiser/" + b.stage.Name + "/" + name),
			Description: jsii.String(desc),
			GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
				SecretStringTemplate: jsii.String(template),
				GenerateStringKey:    jsii.String(key),
			},
			RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
		})
	}
	return secretSet{
		alpaca: mk("AlpacaKeys", "alpaca", "Alpaca API keys: {\"key_id\": ..., \"secret_key\": ...}. Set after the first deploy.", `{"key_id":"set-me"}`, "secret_key"),
		smtp:   mk("SmtpPassword", "smtp", "SMTP password: {\"password\": ...}. Set after the first deploy.", `{}`, "password"),
	}
}

type tableSet struct {
	idempotency             map[routing.Service]awsdynamodb.Table
	workflows, notification awsdynamodb.Table
}

// tables creates an idempotency table for each service that deduplicates events with one
// (strategy, portfolio, execution), so each function writes only its own, and the workflow and
// notification records, which the orchestrator and the notifier deduplicate with.
func (b *built) tables() tableSet {
	t := tableSet{idempotency: map[routing.Service]awsdynamodb.Table{}}
	mk := func(id, name string, ttl string, pitr bool) awsdynamodb.Table {
		props := &awsdynamodb.TableProps{
			TableName:    jsii.String(b.name(name)),
			PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("pk"), Type: awsdynamodb.AttributeType_STRING},
			BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
			PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
				PointInTimeRecoveryEnabled: jsii.Bool(pitr),
			},
			RemovalPolicy: b.removal(),
		}
		if ttl != "" {
			props.TimeToLiveAttribute = jsii.String(ttl)
		}
		return awsdynamodb.NewTable(b.stack, jsii.String(id), props)
	}
	for _, svc := range []routing.Service{routing.Strategy, routing.Portfolio, routing.Execution} {
		t.idempotency[svc] = mk(title(string(svc))+"Idempotency", string(svc)+"-idempotency", "expires_at", false)
	}
	t.workflows = mk("Workflows", "workflows", "", true)
	t.notification = mk("Notifications", "notifications", "", true)
	return t
}

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

var retentions = map[int]awslogs.RetentionDays{
	1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS, 5: awslogs.RetentionDays_FIVE_DAYS,
	7: awslogs.RetentionDays_ONE_WEEK, 14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
	60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS, 180: awslogs.RetentionDays_SIX_MONTHS,
	365: awslogs.RetentionDays_ONE_YEAR,
}

// function builds one service's Lambda with its log group, async-invoke settings and on-failure
// queue, its environment, and exactly the permissions it needs.
func (b *built) function(svc routing.Service, assetDir string, secrets secretSet, tables tableSet) {
	cfg := b.stage.Functions[svc]
	id := title(string(svc))
	fnName := b.name(string(svc))
	retention, ok := retentions[b.stage.LogRetentionDays]
	if !ok {
		retention = awslogs.RetentionDays_TWO_WEEKS
	}
	logs := awslogs.NewLogGroup(b.stack, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String("/aws/lambda/" + fnName),
		Retention:     retention,
		RemovalPolicy: b.removal(),
	})
	env := map[string]*string{
		"STAGE":          jsii.String(b.stage.Name),
		"EVENT_BUS_NAME": b.bus.EventBusName(),
		"LOG_LEVEL":      jsii.String("info"),
	}
	if _, ok := tables.idempotency[svc]; ok {
		env["IDEMPOTENCY_STORE"] = jsii.String("dynamodb:" + b.name(string(svc)+"-idempotency"))
	}
	switch svc {
	case routing.Strategy, routing.Portfolio, routing.Execution:
		trading := "https://paper-api.alpaca.markets"
		if b.stage.Live {
			trading = "https://api.alpaca.markets"
		}
		env["ALPACA_TRADING_URL"] = jsii.String(trading)
		env["ALPACA_DATA_URL"] = jsii.String("https://data.alpaca.markets")
		env["ALPACA_FEED"] = jsii.String("iex")
		env["ALPACA_LIVE"] = jsii.String(fmt.Sprint(b.stage.Live))
		env["ALPACA_SECRET_ARN"] = secrets.alpaca.SecretArn()
	case routing.Orchestrator:
		env["WORKFLOW_STORE"] = jsii.String("dynamodb:" + b.name("workflows"))
		env["ALPACA_LIVE"] = jsii.String(fmt.Sprint(b.stage.Live)) // the trading mode of new workflows
	case routing.Notifier:
		env["SENT_STORE"] = jsii.String("dynamodb:" + b.name("notifications"))
		env["SMTP_HOST"] = jsii.String(b.stage.SMTPHost)
		env["SMTP_PORT"] = jsii.String(fmt.Sprint(b.stage.SMTPPort))
		env["SMTP_TLS"] = jsii.String("mandatory")
		env["SMTP_USERNAME"] = jsii.String(b.stage.SMTPUser)
		env["SMTP_PASSWORD_SECRET_ARN"] = secrets.smtp.SecretArn()
		env["MAIL_FROM"] = jsii.String(b.stage.MailFrom)
		env["MAIL_TO"] = jsii.String(b.stage.MailTo)
	}
	if svc == routing.Execution {
		env["EXECUTION_KILL_SWITCH"] = jsii.String("false")
	}
	props := &awslambda.FunctionProps{
		FunctionName:  jsii.String(fnName),
		Description:   jsii.String(fmt.Sprintf("Alchemiser %s service (%s)", svc, b.stage.Name)),
		Runtime:       awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:  awslambda.Architecture_ARM_64(),
		Handler:       jsii.String("bootstrap"),
		Code:          awslambda.Code_FromAsset(jsii.String(filepath.Join(assetDir, string(svc))), nil),
		MemorySize:    jsii.Number(float64(cfg.MemoryMB)),
		Timeout:       awscdk.Duration_Seconds(jsii.Number(float64(cfg.TimeoutSec))),
		Environment:   &env,
		LogGroup:      logs,
		LoggingFormat: awslambda.LoggingFormat_JSON,
	}
	if cfg.ReservedConcurrency > 0 {
		props.ReservedConcurrentExecutions = jsii.Number(float64(cfg.ReservedConcurrency))
	}
	fn := awslambda.NewFunction(b.stack, jsii.String(id), props)

	failures := b.queue(id+"AsyncDLQ", string(svc)+"-async-dlq")
	fn.ConfigureAsyncInvoke(&awslambda.EventInvokeConfigOptions{
		RetryAttempts: jsii.Number(float64(cfg.AsyncRetries)),
		MaxEventAge:   awscdk.Duration_Seconds(jsii.Number(float64(cfg.MaxEventAgeSec))),
		OnFailure:     awslambdadestinations.NewSqsDestination(failures),
	})

	if src, ok := sources[svc]; ok {
		fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("PutOwnEventsOnly"),
			Actions:   jsii.Strings("events:PutEvents"),
			Resources: &[]*string{b.bus.EventBusArn()},
			Conditions: &map[string]any{
				"StringEquals": map[string]any{"events:source": []string{string(src)}},
			},
		}))
	}
	if t, ok := tables.idempotency[svc]; ok {
		t.GrantReadWriteData(fn)
	}
	switch svc {
	case routing.Strategy, routing.Portfolio, routing.Execution:
		secrets.alpaca.GrantRead(fn, nil)
	case routing.Orchestrator:
		tables.workflows.GrantReadWriteData(fn)
	case routing.Notifier:
		tables.notification.GrantReadWriteData(fn)
		secrets.smtp.GrantRead(fn, nil)
	}
	b.functions[svc] = fn
}

// rules turns every route of the routing table into a rule. The pattern is the table's own
// JSON, never written here.
func (b *built) rules() {
	for _, r := range routing.Table() {
		var pattern map[string]any
		if err := json.Unmarshal(r.Pattern(), &pattern); err != nil {
			panic(fmt.Sprintf("route %s: pattern is not JSON: %v", r.Name, err)) // the table's own test prevents this
		}
		fn := b.functions[r.Target]
		id := ruleID(r.Name)
		dlq := b.queue(id+"DLQ", r.DLQ)
		rule := awsevents.NewCfnRule(b.stack, jsii.String(id), &awsevents.CfnRuleProps{
			Name:         jsii.String(b.name(r.Name)),
			Description:  jsii.String(r.Description),
			EventBusName: b.bus.EventBusName(),
			EventPattern: pattern,
			State:        jsii.String("ENABLED"),
			Targets: &[]any{&awsevents.CfnRule_TargetProperty{
				Id:  jsii.String(string(r.Target)),
				Arn: fn.FunctionArn(),
				RetryPolicy: &awsevents.CfnRule_RetryPolicyProperty{
					MaximumRetryAttempts:     jsii.Number(float64(r.Retry.MaximumRetryAttempts)),
					MaximumEventAgeInSeconds: jsii.Number(float64(r.Retry.MaximumEventAgeSeconds)),
				},
				DeadLetterConfig: &awsevents.CfnRule_DeadLetterConfigProperty{Arn: dlq.QueueArn()},
			}},
		})
		fn.AddPermission(jsii.String("InvokeBy"+id), &awslambda.Permission{
			Principal: awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil),
			SourceArn: rule.AttrArn(),
		})
		dlq.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("DeadLettersFromRule"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)},
			Actions:    jsii.Strings("sqs:SendMessage"),
			Resources:  &[]*string{dlq.QueueArn()},
			Conditions: &map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": rule.AttrArn()}},
		}))
	}
}

func ruleID(name string) string {
	parts := strings.Split(name, "-")
	for i, p := range parts {
		parts[i] = title(p)
	}
	return strings.Join(parts, "")
}
