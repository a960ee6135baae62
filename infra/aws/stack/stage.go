// Package stack defines Alchemiser's AWS stack, one per stage: the event bus and its rules from
// the routing table, one Lambda per service with its dead-letter queues, the schedules, the
// archive, the schema registry, the state tables, the secrets, the dashboard and the alarms.
package stack

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"

	"github.com/alchemiser/alchemiser/contracts/routing"
	"github.com/alchemiser/alchemiser/pkg/schedule"
)

// FunctionConfig sizes one service's Lambda.
type FunctionConfig struct {
	MemoryMB   int
	TimeoutSec int
	// ReservedConcurrency caps concurrent executions; 0 means unreserved.
	ReservedConcurrency int
	// AsyncRetries is the function's own retry count for asynchronous invocations (0 to 2).
	AsyncRetries int
	// MaxEventAgeSec is how long an asynchronous invocation may wait (60 to 21,600).
	MaxEventAgeSec int
}

// Stage is the typed configuration of one deployment stage.
type Stage struct {
	// Name is dev or prod.
	Name string
	// Account and Region pin the environment; empty leaves the stack environment-agnostic.
	Account, Region string
	// TradingSchedule overrides the trading schedule's expression; empty is the production one.
	TradingSchedule string
	// ScheduleEnabled turns the trading schedule on at deploy.
	ScheduleEnabled bool
	// ArchiveRetentionDays keeps archived events this long (0 = forever).
	ArchiveRetentionDays int
	// LogRetentionDays keeps function logs this long.
	LogRetentionDays int
	// AlarmEmail receives the alarms.
	AlarmEmail string
	// MailFrom and MailTo address the trading reports; SMTPHost and SMTPPort name the relay.
	MailFrom, MailTo, SMTPHost string
	SMTPPort                   int
	// SMTPUser is the SMTP login; its password is a secret of the stack.
	SMTPUser string
	// Live sends orders to the live Alpaca endpoint. It is only allowed on prod, and the
	// execution adapter refuses it unless ALPACA_LIVE is also set.
	Live bool
	// Functions sizes each service's Lambda.
	Functions map[routing.Service]FunctionConfig
}

func defaultFunctions() map[routing.Service]FunctionConfig {
	return map[routing.Service]FunctionConfig{
		routing.Strategy:     {MemoryMB: 1024, TimeoutSec: 120, AsyncRetries: 2, MaxEventAgeSec: 900},
		routing.Portfolio:    {MemoryMB: 256, TimeoutSec: 60, AsyncRetries: 2, MaxEventAgeSec: 900},
		routing.Execution:    {MemoryMB: 256, TimeoutSec: 600, ReservedConcurrency: 1, AsyncRetries: 2, MaxEventAgeSec: 1800},
		routing.Orchestrator: {MemoryMB: 256, TimeoutSec: 30, AsyncRetries: 2, MaxEventAgeSec: 900},
		routing.Notifier:     {MemoryMB: 256, TimeoutSec: 60, AsyncRetries: 2, MaxEventAgeSec: 3600},
	}
}

// Stages returns the known stages. The dev schedule runs every weekday at 09:35 New York time
// like prod, so dev exercises the same path on the paper account.
func Stages() map[string]Stage {
	return map[string]Stage{
		"dev": {
			Name: "dev", ScheduleEnabled: true, ArchiveRetentionDays: 30, LogRetentionDays: 14,
			AlarmEmail: "alerts-dev@example.com", MailFrom: "alchemiser-dev@example.com", MailTo: "trader@example.com",
			SMTPHost: "email-smtp.us-east-1.amazonaws.com", SMTPPort: 587, SMTPUser: "alchemiser-dev-ses-user",
			Functions: defaultFunctions(),
		},
		"prod": {
			Name: "prod", ScheduleEnabled: true, ArchiveRetentionDays: 365, LogRetentionDays: 90,
			AlarmEmail: "alerts@example.com", MailFrom: "alchemiser@example.com", MailTo: "trader@example.com",
			SMTPHost: "email-smtp.us-east-1.amazonaws.com", SMTPPort: 587, SMTPUser: "alchemiser-prod-ses-user",
			Functions: defaultFunctions(),
		},
	}
}

// StageNamed returns a known stage, validated.
func StageNamed(name string) (Stage, error) {
	s, ok := Stages()[name]
	if !ok {
		return Stage{}, fmt.Errorf("stage %q is not known; use -c stage=dev or -c stage=prod", name)
	}
	return s, s.Validate()
}

var stageName = regexp.MustCompile(`^[a-z][a-z0-9-]{1,15}$`)

// Validate checks the stage: a bad stage fails synth with a clear message.
func (s Stage) Validate() error {
	var errs []error
	if !stageName.MatchString(s.Name) {
		errs = append(errs, fmt.Errorf("stage name %q: want 2-16 lower-case letters, digits or dashes", s.Name))
	}
	if s.Live && s.Name != "prod" {
		errs = append(errs, fmt.Errorf("stage %s: live trading is only allowed on prod", s.Name))
	}
	if _, err := schedule.ForStage(s.Name, s.TradingSchedule); err != nil {
		errs = append(errs, err)
	}
	for _, addr := range []string{s.AlarmEmail, s.MailFrom, s.MailTo} {
		if _, err := mail.ParseAddress(addr); err != nil {
			errs = append(errs, fmt.Errorf("stage %s: email address %q: %v", s.Name, addr, err))
		}
	}
	if s.SMTPHost == "" || s.SMTPPort <= 0 || s.SMTPUser == "" {
		errs = append(errs, fmt.Errorf("stage %s: SMTP host, port and user are required", s.Name))
	}
	if s.LogRetentionDays <= 0 {
		errs = append(errs, fmt.Errorf("stage %s: log retention must be set", s.Name))
	}
	for _, svc := range routing.Services() {
		f, ok := s.Functions[svc]
		if !ok {
			errs = append(errs, fmt.Errorf("stage %s: no function configuration for %s", s.Name, svc))
			continue
		}
		if f.MemoryMB < 128 || f.MemoryMB > 10240 || f.TimeoutSec < 1 || f.TimeoutSec > 900 {
			errs = append(errs, fmt.Errorf("stage %s: %s memory %d MB / timeout %d s outside Lambda's limits", s.Name, svc, f.MemoryMB, f.TimeoutSec))
		}
		if f.AsyncRetries < 0 || f.AsyncRetries > 2 || f.MaxEventAgeSec < 60 || f.MaxEventAgeSec > 21600 {
			errs = append(errs, fmt.Errorf("stage %s: %s async retries %d / max age %d s outside Lambda's limits", s.Name, svc, f.AsyncRetries, f.MaxEventAgeSec))
		}
	}
	if s.Functions[routing.Execution].ReservedConcurrency != 1 {
		errs = append(errs, fmt.Errorf("stage %s: execution must have reserved concurrency 1, so two plans never trade at once", s.Name))
	}
	return errors.Join(errs...)
}
