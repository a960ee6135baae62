package alpacaclient

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
)

// LiveTradingURL is Alpaca's live (real money) trading endpoint.
const LiveTradingURL = "https://api.alpaca.markets"

// PaperTradingURL is Alpaca's paper trading endpoint.
const PaperTradingURL = "https://paper-api.alpaca.markets"

// Config is the adapter's configuration. Every field is set explicitly; nothing is read from
// the environment behind the caller's back.
type Config struct {
	// TradingURL is the trading API base URL (paper, live or the local simulator).
	TradingURL string
	// DataURL is the market-data API base URL.
	DataURL string
	// KeyID and SecretKey are the API credentials.
	KeyID, SecretKey string
	// Feed is the stock data feed: "iex" or "sip" (or "delayed_sip", "boats", "otc").
	Feed string
	// Live must be true (ALPACA_LIVE=true) to use the live trading URL.
	Live bool
	// Stage is the deployment stage; it must be "prod" to use the live trading URL.
	Stage string
	// RequestsPerMinute is the account's API limit that the process-wide limiter keeps to:
	// Alpaca's 200 by default (ALPACA_RATE_LIMIT), more on paid plans or the local simulator.
	RequestsPerMinute int
}

// LoadConfig reads the configuration from getenv (os.Getenv in main): ALPACA_TRADING_URL,
// ALPACA_DATA_URL, ALPACA_KEY_ID, ALPACA_SECRET_KEY, ALPACA_FEED (default iex), ALPACA_LIVE
// ALPACA_RATE_LIMIT (requests a minute, default 200) and STAGE. It validates the result.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		TradingURL: getenv("ALPACA_TRADING_URL"),
		DataURL:    getenv("ALPACA_DATA_URL"),
		KeyID:      getenv("ALPACA_KEY_ID"),
		SecretKey:  getenv("ALPACA_SECRET_KEY"),
		Feed:       getenv("ALPACA_FEED"),
		Stage:      getenv("STAGE"),
	}
	if c.Feed == "" {
		c.Feed = "iex"
	}
	c.RequestsPerMinute = RequestsPerMinute
	if v := strings.TrimSpace(getenv("ALPACA_RATE_LIMIT")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return c, fmt.Errorf("alpaca config: ALPACA_RATE_LIMIT=%q is not a positive number of requests a minute", v)
		}
		c.RequestsPerMinute = n
	}
	switch v := strings.ToLower(strings.TrimSpace(getenv("ALPACA_LIVE"))); v {
	case "", "false", "0", "no":
	case "true", "1", "yes":
		c.Live = true
	default:
		return c, fmt.Errorf("alpaca config: ALPACA_LIVE=%q is not true or false", v)
	}
	return c, c.Validate()
}

// LoadConfigForStage is LoadConfig for a function of stage: the live endpoint needs
// ALPACA_LIVE=true and the function's own stage prod, whatever STAGE getenv would say.
func LoadConfigForStage(getenv func(string) string, stage string) (Config, error) {
	c, err := LoadConfig(func(k string) string {
		if k == "STAGE" {
			return stage
		}
		return getenv(k)
	})
	c.Stage = stage
	return c, err
}

// ErrLiveTradingRefused is returned by Validate for a live trading URL without both opt-ins.
var ErrLiveTradingRefused = errors.New("live trading refused")

// IsLiveURL reports whether u points at Alpaca's live trading API.
func IsLiveURL(u string) bool {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil {
		return false
	}
	return strings.EqualFold(p.Hostname(), "api.alpaca.markets")
}

// Validate checks that every field is set, the URLs are absolute http(s) URLs, and that a live
// trading URL has been enabled twice on purpose.
func (c Config) Validate() error {
	var errs []error
	for _, f := range []struct{ name, env, v string }{
		{"TradingURL", "ALPACA_TRADING_URL", c.TradingURL},
		{"DataURL", "ALPACA_DATA_URL", c.DataURL},
		{"KeyID", "ALPACA_KEY_ID", c.KeyID},
		{"SecretKey", "ALPACA_SECRET_KEY", c.SecretKey},
		{"Feed", "ALPACA_FEED", c.Feed},
	} {
		if strings.TrimSpace(f.v) == "" {
			errs = append(errs, fmt.Errorf("%s is empty: set %s", f.name, f.env))
		}
	}
	for _, u := range []struct{ name, v string }{{"TradingURL", c.TradingURL}, {"DataURL", c.DataURL}} {
		if u.v == "" {
			continue
		}
		p, err := url.Parse(u.v)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			errs = append(errs, fmt.Errorf("%s %q is not an http(s) URL", u.name, u.v))
		}
	}
	if IsLiveURL(c.TradingURL) && !(c.Live && c.Stage == "prod") {
		errs = append(errs, fmt.Errorf("%w: TradingURL %s is the live (real money) API; to trade live set both ALPACA_LIVE=true and STAGE=prod (now ALPACA_LIVE=%t, STAGE=%q); otherwise use %s",
			ErrLiveTradingRefused, c.TradingURL, c.Live, c.Stage, PaperTradingURL))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("alpaca config: %w", err)
	}
	return nil
}

// String prints the configuration with the secret masked.
func (c Config) String() string {
	return fmt.Sprintf("alpaca{trading=%s data=%s key=%s secret=%s feed=%s live=%t stage=%s}",
		c.TradingURL, c.DataURL, c.KeyID, mask(c.SecretKey), c.Feed, c.Live, c.Stage)
}

// LogValue keeps the secret out of structured logs.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

func mask(s string) string {
	if s == "" {
		return ""
	}
	return "****"
}
