package stack_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/alchemiser/alchemiser/contracts/routing"
	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/infra/aws/stack"
)

var update = flag.Bool("update", false, "rewrite the golden template snapshot")

// templates are synthesized once per stage for every test: each synth costs a node round trip.
var templates = map[string]map[string]any{}

func TestMain(m *testing.M) {
	flag.Parse()
	code, err := synthAll()
	if err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		code = 1
	}
	if code == 0 {
		code = m.Run()
	}
	jsii.Close()
	os.Exit(code)
}

func synthAll() (code int, err error) {
	// A failed jsii call panics; turn it into an error rather than abort the binary.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("jsii: %v", r)
		}
	}()
	assets, err := os.MkdirTemp("", "alchemiser-assets")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(assets)
	for _, svc := range routing.Services() {
		dir := filepath.Join(assets, string(svc))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return 1, err
		}
		if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("stub "+string(svc)), 0o755); err != nil {
			return 1, err
		}
	}
	for _, name := range []string{"dev", "prod"} {
		app := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{"@aws-cdk/core:checkSecretUsage": true}})
		stage, err := stack.StageNamed(name)
		if err != nil {
			return 1, err
		}
		st, err := stack.New(app, stack.Props{Stage: stage, AssetDir: assets})
		if err != nil {
			return 1, err
		}
		tmpl := assertions.Template_FromStack(st, nil).ToJSON()
		templates[name] = *tmpl
	}
	return 0, nil
}

func resources(t *testing.T, stage, typ string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for id, r := range templates[stage]["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] == typ {
			props, _ := res["Properties"].(map[string]any)
			out[id] = props
		}
	}
	return out
}

func get(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func TestEveryRouteIsARuleWithTheTablesPattern(t *testing.T) {
	rules := resources(t, "dev", "AWS::Events::Rule")
	byName := map[string]map[string]any{}
	for _, r := range rules {
		byName[r["Name"].(string)] = r
	}
	for _, route := range routing.Table() {
		r, ok := byName["alchemiser-dev-"+route.Name]
		if !ok {
			t.Errorf("no rule for route %s", route.Name)
			continue
		}
		var want any
		_ = json.Unmarshal(route.Pattern(), &want)
		if !reflect.DeepEqual(want, r["EventPattern"]) {
			t.Errorf("rule %s pattern = %v, want the table's %v", route.Name, r["EventPattern"], want)
		}
		targets := r["Targets"].([]any)
		if len(targets) != 1 {
			t.Fatalf("rule %s has %d targets", route.Name, len(targets))
		}
		tg := targets[0].(map[string]any)
		if get(tg, "DeadLetterConfig", "Arn") == nil {
			t.Errorf("rule %s target has no DLQ", route.Name)
		}
		if got := get(tg, "RetryPolicy", "MaximumRetryAttempts"); got != float64(route.Retry.MaximumRetryAttempts) {
			t.Errorf("rule %s retries = %v, want %d", route.Name, got, route.Retry.MaximumRetryAttempts)
		}
		if got := get(tg, "RetryPolicy", "MaximumEventAgeInSeconds"); got != float64(route.Retry.MaximumEventAgeSeconds) {
			t.Errorf("rule %s max age = %v, want %d", route.Name, got, route.Retry.MaximumEventAgeSeconds)
		}
	}
	if len(rules) != len(routing.Table()) {
		t.Errorf("%d rules for %d routes: a rule was written by hand", len(rules), len(routing.Table()))
	}
}

func TestFunctions(t *testing.T) {
	fns := resources(t, "dev", "AWS::Lambda::Function")
	if len(fns) != len(routing.Services()) {
		t.Fatalf("%d functions, want one per service", len(fns))
	}
	invokeConfigs := resources(t, "dev", "AWS::Lambda::EventInvokeConfig")
	if len(invokeConfigs) != len(fns) {
		t.Errorf("%d async-invoke configs for %d functions", len(invokeConfigs), len(fns))
	}
	for _, c := range invokeConfigs {
		if get(c, "DestinationConfig", "OnFailure", "Destination") == nil || c["MaximumRetryAttempts"] == nil || c["MaximumEventAgeInSeconds"] == nil {
			t.Errorf("async-invoke config without on-failure DLQ or retry settings: %v", c)
		}
	}
	logGroups := resources(t, "dev", "AWS::Logs::LogGroup")
	for _, lg := range logGroups {
		if lg["RetentionInDays"] == nil {
			t.Errorf("log group %v has no retention", lg["LogGroupName"])
		}
	}
	for _, fn := range fns {
		name := fn["FunctionName"].(string)
		if fn["Runtime"] != "provided.al2023" || !reflect.DeepEqual(fn["Architectures"], []any{"arm64"}) || fn["Handler"] != "bootstrap" {
			t.Errorf("%s: runtime %v %v %v, want provided.al2023 arm64 bootstrap", name, fn["Runtime"], fn["Architectures"], fn["Handler"])
		}
		rc := fn["ReservedConcurrentExecutions"]
		if strings.HasSuffix(name, "-execution") && rc != float64(1) {
			t.Errorf("execution reserved concurrency = %v, want 1", rc)
		}
		env, _ := get(fn, "Environment", "Variables").(map[string]any)
		for k, v := range env {
			s, isString := v.(string)
			if regexp.MustCompile(`(?i)(secret_key|password|token)$`).MatchString(k) {
				t.Errorf("%s: environment variable %s looks like a secret value", name, k)
			}
			if strings.HasSuffix(k, "_SECRET_ARN") && isString {
				t.Errorf("%s: %s should reference the secret resource, got a literal %q", name, k, s)
			}
		}
	}
}

func TestScheduleAndArchive(t *testing.T) {
	for _, stage := range []string{"dev", "prod"} {
		var trading map[string]any
		for _, s := range resources(t, stage, "AWS::Scheduler::Schedule") {
			if s["Name"] == "alchemiser-"+stage+"-trading" {
				trading = s
			}
			if get(s, "Target", "DeadLetterConfig", "Arn") == nil || get(s, "Target", "RetryPolicy") == nil {
				t.Errorf("%s schedule %v lacks a DLQ or retry policy", stage, s["Name"])
			}
		}
		if trading == nil {
			t.Fatalf("%s: no trading schedule", stage)
		}
		if trading["ScheduleExpression"] != "cron(35 9 ? * MON-FRI *)" || trading["ScheduleExpressionTimezone"] != "America/New_York" {
			t.Errorf("%s trading schedule = %v in %v", stage, trading["ScheduleExpression"], trading["ScheduleExpressionTimezone"])
		}
		if !strings.Contains(get(trading, "Target", "Input").(string), "<aws.scheduler.scheduled-time>") {
			t.Errorf("%s: the trading schedule does not pass its firing time", stage)
		}
		archives := resources(t, stage, "AWS::Events::Archive")
		if len(archives) != 1 {
			t.Fatalf("%s: %d archives", stage, len(archives))
		}
		for _, a := range archives {
			if a["RetentionDays"] == nil || a["EventPattern"] == nil {
				t.Errorf("%s archive has no retention or pattern: %v", stage, a)
			}
		}
	}
}

func TestDashboardAndAlarms(t *testing.T) {
	dashboards := resources(t, "dev", "AWS::CloudWatch::Dashboard")
	if len(dashboards) != 1 {
		t.Fatalf("%d dashboards", len(dashboards))
	}
	var body string
	for _, d := range dashboards {
		b, _ := json.Marshal(d["DashboardBody"])
		body = string(b)
	}
	for _, title := range []string{"Invocations per function", "Errors per function", "Duration p50 per function",
		"Duration p99 per function", "Throttles per function", "Dead-letter queue depth", "Workflows completed and failed",
		"Orders placed and filled", "End-to-end workflow duration", "Account equity"} {
		if !strings.Contains(body, title) {
			t.Errorf("dashboard has no widget %q", title)
		}
	}
	alarms := resources(t, "dev", "AWS::CloudWatch::Alarm")
	var names []string
	for _, a := range alarms {
		names = append(names, a["AlarmName"].(string))
		if actions, _ := a["AlarmActions"].([]any); len(actions) == 0 {
			t.Errorf("alarm %v notifies nobody", a["AlarmName"])
		}
	}
	sort.Strings(names)
	joined := strings.Join(names, " ")
	for _, want := range []string{"WorkflowFailed", "NoWorkflowCompleted", "ExecutionErrorsOrThrottles", "NotEmpty"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no alarm named like %q among %v", want, names)
		}
	}
	queues := resources(t, "dev", "AWS::SQS::Queue")
	if n := strings.Count(joined, "NotEmpty"); n != len(queues) {
		t.Errorf("%d DLQ alarms for %d queues", n, len(queues))
	}
	subs := resources(t, "dev", "AWS::SNS::Subscription")
	if len(subs) != 1 {
		t.Errorf("%d alarm subscriptions, want 1 email", len(subs))
	}
}

func statements(t *testing.T, stage string) []map[string]any {
	var out []map[string]any
	add := func(doc any) {
		for _, s := range get(doc, "Statement").([]any) {
			out = append(out, s.(map[string]any))
		}
	}
	for _, p := range resources(t, stage, "AWS::IAM::Policy") {
		add(p["PolicyDocument"])
	}
	for _, r := range resources(t, stage, "AWS::IAM::Role") {
		for _, p := range asList(r["Policies"]) {
			add(get(p, "PolicyDocument"))
		}
	}
	for _, q := range resources(t, stage, "AWS::SQS::QueuePolicy") {
		add(q["PolicyDocument"])
	}
	return out
}

func asList(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case nil:
		return nil
	default:
		return []any{x}
	}
}

func TestLeastPrivilege(t *testing.T) {
	for _, stage := range []string{"dev", "prod"} {
		putEvents := 0
		for _, s := range statements(t, stage) {
			if s["Effect"] != "Allow" {
				continue // a Deny of sqs:* without TLS (EnforceSSL) only narrows access
			}
			for _, a := range asList(s["Action"]) {
				action, _ := a.(string)
				if strings.Contains(action, "*") {
					t.Errorf("%s: statement allows the wildcard action %q", stage, action)
				}
				if action == "events:PutEvents" {
					putEvents++
					src := get(s, "Condition", "StringEquals", "events:source")
					if src == nil {
						t.Errorf("%s: PutEvents without an events:source condition: %v", stage, s)
					}
				}
			}
		}
		if putEvents != 4 {
			t.Errorf("%s: %d PutEvents permissions, want 4 (every publishing service, each for its own source)", stage, putEvents)
		}
	}
}

func TestSchemasRegistered(t *testing.T) {
	schemas := resources(t, "dev", "AWS::EventSchemas::Schema")
	if len(schemas) != len(v1.DetailTypes()) {
		t.Fatalf("%d schemas, want %d", len(schemas), len(v1.DetailTypes()))
	}
	for _, s := range schemas {
		if s["Type"] != "JSONSchemaDraft4" || !strings.Contains(s["Content"].(string), "draft-04") {
			t.Errorf("schema %v is not draft 4", s["SchemaName"])
		}
	}
}

func TestStateTables(t *testing.T) {
	for _, tbl := range resources(t, "dev", "AWS::DynamoDB::Table") {
		name := tbl["TableName"].(string)
		if tbl["BillingMode"] != "PAY_PER_REQUEST" {
			t.Errorf("%s is not on-demand", name)
		}
		if strings.HasSuffix(name, "-idempotency") && get(tbl, "TimeToLiveSpecification", "Enabled") != true {
			t.Errorf("%s has no TTL", name)
		}
		if strings.HasSuffix(name, "-workflows") && get(tbl, "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled") != true {
			t.Errorf("%s has no point-in-time recovery", name)
		}
	}
}

func TestStageValidation(t *testing.T) {
	s, _ := stack.StageNamed("dev")
	s.Live = true
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "only allowed on prod") {
		t.Errorf("live dev stage: err = %v", err)
	}
	s, _ = stack.StageNamed("dev")
	s.TradingSchedule = "cron(99 9 ? * MON-FRI *)"
	if err := s.Validate(); err == nil {
		t.Error("bad schedule accepted")
	}
	if _, err := stack.StageNamed("qa"); err == nil {
		t.Error("unknown stage accepted")
	}
}

var assetHash = regexp.MustCompile(`[0-9a-f]{64}`)

func TestGoldenDevTemplate(t *testing.T) {
	b, err := json.MarshalIndent(templates["dev"], "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got := assetHash.ReplaceAll(b, []byte("ASSET_HASH"))
	got = append(got, '\n')
	path := filepath.Join("testdata", "dev.template.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (go test ./stack -update): %v", err)
	}
	if string(want) != string(got) {
		t.Fatalf("the synthesized dev template changed; review and run go test ./stack -update")
	}
}
