package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/spf13/cobra"
)

// TestSetScheduleState drives the real Scheduler client against a server speaking its REST API:
// pausing reads the schedule and writes it back whole with State DISABLED.
func TestSetScheduleState(t *testing.T) {
	var put map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/schedules/alchemiser-dev-trading" {
			http.Error(w, `{"Message":"not found"}`, 404)
			return
		}
		switch r.Method {
		case http.MethodGet:
			_ = json.NewEncoder(w).Encode(map[string]any{
				"Name": "alchemiser-dev-trading", "GroupName": "default", "State": "ENABLED",
				"ScheduleExpression": "cron(35 9 ? * MON-FRI *)", "ScheduleExpressionTimezone": "America/New_York",
				"FlexibleTimeWindow": map[string]any{"Mode": "OFF"},
				"Target":             map[string]any{"Arn": "arn:aws:lambda:us-east-1:1:function:f", "RoleArn": "arn:aws:iam::1:role/r", "Input": `{"mode":"trade"}`},
			})
		case http.MethodPut:
			b, _ := io.ReadAll(r.Body)
			_ = json.Unmarshal(b, &put)
			_, _ = w.Write([]byte(`{"ScheduleArn":"arn:aws:scheduler:us-east-1:1:schedule/default/alchemiser-dev-trading"}`))
		}
	}))
	defer srv.Close()
	api := scheduler.New(scheduler.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")})
	cmd := &cobra.Command{}
	cmd.SetContext(t.Context())
	if err := setScheduleState(cmd, api, "alchemiser-dev-trading", types.ScheduleStateDisabled); err != nil {
		t.Fatal(err)
	}
	if put["State"] != "DISABLED" || put["ScheduleExpression"] != "cron(35 9 ? * MON-FRI *)" ||
		put["ScheduleExpressionTimezone"] != "America/New_York" || put["Target"].(map[string]any)["Input"] != `{"mode":"trade"}` {
		t.Fatalf("the update did not carry the schedule over with the new state: %v", put)
	}
	put = nil
	if err := setScheduleState(cmd, api, "alchemiser-dev-trading", types.ScheduleStateEnabled); err != nil {
		t.Fatal(err)
	}
	if put != nil {
		t.Fatal("resuming an enabled schedule wrote it")
	}
}
