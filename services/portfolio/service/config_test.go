package service_test

import (
	"strings"
	"testing"

	"github.com/alchemiser/alchemiser/services/portfolio/service"
)

func TestConfigFromEnv(t *testing.T) {
	base := map[string]string{
		"EVENT_BUS_NAME": "bus", "ALPACA_TRADING_URL": "http://127.0.0.1:9", "ALPACA_DATA_URL": "http://127.0.0.1:9",
		"ALPACA_KEY_ID": "k", "ALPACA_SECRET_KEY": "very-secret",
	}
	tests := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, c service.Config)
		err   string
	}{
		{name: "defaults", check: func(t *testing.T, c service.Config) {
			if c.Stage != "dev" || c.IdempotencyStore != "memory" || c.Params.CashReserve.String() != "0.01" ||
				c.Params.MinTradeFraction.String() != "0.01" || c.Params.MinTradeFloor.String() != "10" || c.Alpaca.Feed != "iex" {
				t.Errorf("defaults: %s", c)
			}
			if strings.Contains(c.String(), "very-secret") || !strings.Contains(c.String(), "****") {
				t.Errorf("String does not mask the secret: %s", c)
			}
		}},
		{name: "planner settings", env: map[string]string{"PORTFOLIO_CASH_RESERVE": "0.02", "PORTFOLIO_MIN_TRADE_FLOOR": "25", "IDEMPOTENCY_STORE": "sqlite:idem.db"},
			check: func(t *testing.T, c service.Config) {
				if c.Params.CashReserve.String() != "0.02" || c.Params.MinTradeFloor.String() != "25" || c.IdempotencyStore != "sqlite:idem.db" {
					t.Errorf("got %s", c)
				}
			}},
		{name: "bad reserve", env: map[string]string{"PORTFOLIO_CASH_RESERVE": "1.5"}, err: "cash reserve 1.5 is outside [0, 1)"},
		{name: "reserve not a number", env: map[string]string{"PORTFOLIO_CASH_RESERVE": "1%"}, err: `PORTFOLIO_CASH_RESERVE="1%": want a non-negative decimal`},
		{name: "bad stage", env: map[string]string{"STAGE": "qa"}, err: `STAGE "qa"`},
		{name: "bad store", env: map[string]string{"IDEMPOTENCY_STORE": "redis"}, err: `IDEMPOTENCY_STORE "redis"`},
		{name: "no bus", env: map[string]string{"EVENT_BUS_NAME": ""}, err: "EVENT_BUS_NAME"},
		{name: "no keys", env: map[string]string{"ALPACA_KEY_ID": ""}, err: "ALPACA_KEY_ID"},
		{name: "live URL outside prod", env: map[string]string{"ALPACA_TRADING_URL": "https://api.alpaca.markets", "ALPACA_LIVE": "true"}, err: "live trading refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tt.env {
				env[k] = v
			}
			c, err := service.ConfigFromEnv(func(k string) string { return env[k] })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "very-secret") {
					t.Errorf("error leaks the secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ConfigFromEnv: %v", err)
			}
			tt.check(t, c)
		})
	}
}
