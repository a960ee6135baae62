package service_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/services/execution/service"
)

func getenv(over map[string]string) func(string) string {
	vars := baseEnv("http://127.0.0.1:9")
	vars["ALPACA_SECRET_KEY"] = "s3cret-value"
	for k, v := range over {
		vars[k] = v
	}
	return func(k string) string { return vars[k] }
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := service.ConfigFromEnv(getenv(map[string]string{"EXECUTION_PHASE_TIMEOUT": "", "EXECUTION_POLL_INTERVAL": ""}))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Execution
	if s.KillSwitch || s.Policy != "market" || s.PhaseTimeout != time.Minute || s.Prefix != "alch-" || !cfg.Stream ||
		s.Limits.MaxOrderNotional.String() != "1000000" || s.Limits.MaxRunNotional.String() != "5000000" || cfg.TradingMode() != v1.ModePaper {
		t.Fatalf("defaults %+v", cfg)
	}
	if str := cfg.String(); strings.Contains(str, "s3cret-value") || !strings.Contains(str, "kill_switch=false") {
		t.Fatalf("String() = %s", str)
	}
}

func TestConfigReadsSettings(t *testing.T) {
	cfg, err := service.ConfigFromEnv(getenv(map[string]string{
		"EXECUTION_KILL_SWITCH": "true", "EXECUTION_ORDER_POLICY": "smart_limit", "EXECUTION_REPEG_AFTER": "5s",
		"EXECUTION_MARKET_AFTER": "20s", "EXECUTION_MAX_ORDER_NOTIONAL": "1000", "EXECUTION_MAX_RUN_NOTIONAL": "0", "EXECUTION_STREAM": "false",
	}))
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Execution
	if !s.KillSwitch || s.Policy != "smart_limit" || s.Smart.RepegAfter != 5*time.Second || s.Smart.MarketAfter != 20*time.Second ||
		s.Limits.MaxOrderNotional.String() != "1000" || !s.Limits.MaxRunNotional.IsZero() || cfg.Stream {
		t.Fatalf("settings %+v", cfg)
	}
}

func TestConfigErrorsSayWhatToSet(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"kill switch", map[string]string{"EXECUTION_KILL_SWITCH": "maybe"}, "EXECUTION_KILL_SWITCH"},
		{"policy", map[string]string{"EXECUTION_ORDER_POLICY": "twap"}, "EXECUTION_ORDER_POLICY"},
		{"duration", map[string]string{"EXECUTION_PHASE_TIMEOUT": "soon"}, "EXECUTION_PHASE_TIMEOUT"},
		{"negative cap", map[string]string{"EXECUTION_MAX_ORDER_NOTIONAL": "-1"}, "EXECUTION_MAX_ORDER_NOTIONAL"},
		{"repeg after market", map[string]string{"EXECUTION_REPEG_AFTER": "1m"}, "EXECUTION_REPEG_AFTER"},
		{"prefix", map[string]string{"EXECUTION_CLIENT_ORDER_PREFIX": "Alch_"}, "EXECUTION_CLIENT_ORDER_PREFIX"},
		{"no keys", map[string]string{"ALPACA_KEY_ID": ""}, "ALPACA_KEY_ID"},
		{"store", map[string]string{"IDEMPOTENCY_STORE": "redis"}, "IDEMPOTENCY_STORE"},
		{"dynamodb store without a table", map[string]string{"IDEMPOTENCY_STORE": "dynamodb:"}, "IDEMPOTENCY_STORE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := service.ConfigFromEnv(getenv(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v; want it to name %s", err, tt.want)
			}
		})
	}
}

func TestConfigLiveNeedsBothOptIns(t *testing.T) {
	live := map[string]string{"ALPACA_TRADING_URL": alpacaclient.LiveTradingURL}
	for _, tt := range []struct {
		stage, flag string
		ok          bool
	}{{"dev", "true", false}, {"prod", "", false}, {"prod", "true", true}} {
		env := map[string]string{"STAGE": tt.stage, "ALPACA_LIVE": tt.flag}
		for k, v := range live {
			env[k] = v
		}
		cfg, err := service.ConfigFromEnv(getenv(env))
		if tt.ok != (err == nil) || (!tt.ok && !errors.Is(err, alpacaclient.ErrLiveTradingRefused)) {
			t.Fatalf("stage %s ALPACA_LIVE=%q: %v", tt.stage, tt.flag, err)
		}
		if tt.ok && cfg.TradingMode() != v1.ModeLive {
			t.Fatalf("mode %s", cfg.TradingMode())
		}
	}
}
