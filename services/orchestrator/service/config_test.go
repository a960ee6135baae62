package service_test

import (
	"strings"
	"testing"

	"github.com/alchemiser/alchemiser/services/orchestrator/service"
)

func TestConfigWorkflowStore(t *testing.T) {
	tests := []struct {
		value, want, err string
	}{
		{"", "memory", ""},
		{"memory", "memory", ""},
		{"sqlite:var/workflows.db", "sqlite:var/workflows.db", ""},
		{"dynamodb:alchemiser-dev-workflows", "dynamodb:alchemiser-dev-workflows", ""},
		{"dynamodb:", "", `WORKFLOW_STORE "dynamodb:"`},
		{"memory:x", "", `WORKFLOW_STORE "memory:x"`},
		{"redis", "", `WORKFLOW_STORE "redis"`},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			env := map[string]string{"STAGE": "dev", "EVENT_BUS_NAME": "b", "WORKFLOW_STORE": tt.value}
			cfg, err := service.ConfigFromEnv(func(k string) string { return env[k] })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.WorkflowStore != tt.want {
				t.Errorf("WorkflowStore = %q, want %q", cfg.WorkflowStore, tt.want)
			}
		})
	}
}
