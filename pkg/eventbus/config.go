package eventbus

import (
	"fmt"
	"net/url"
)

// Config says where to publish. Read it once with ConfigFromEnv.
type Config struct {
	// BusName is the event bus's name or ARN.
	BusName string
	// Endpoint is the EventBridge endpoint URL; empty means the AWS default for the region. Set it
	// to the local bus's URL to publish locally.
	Endpoint string
	// Region is the AWS region; empty means the SDK default (AWS_REGION in Lambda), or us-east-1
	// for a local endpoint.
	Region string
}

// ConfigFromEnv reads EVENT_BUS_NAME (required), EVENTBRIDGE_ENDPOINT and AWS_REGION through
// getenv, and validates the result.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		BusName:  getenv("EVENT_BUS_NAME"),
		Endpoint: getenv("EVENTBRIDGE_ENDPOINT"),
		Region:   getenv("AWS_REGION"),
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// Validate checks that the bus is named and the endpoint, when set, is an http(s) URL.
func (c Config) Validate() error {
	if c.BusName == "" {
		return fmt.Errorf("event bus config: %w", errNoBus)
	}
	if c.Endpoint != "" {
		u, err := url.Parse(c.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("event bus config: EVENTBRIDGE_ENDPOINT %q is not an http(s) URL", c.Endpoint)
		}
	}
	return nil
}

// Local reports whether the endpoint is on this machine (the local bus).
func (c Config) Local() bool { return c.Endpoint != "" && isLoopback(c.Endpoint) }

// String describes the config for logs.
func (c Config) String() string {
	ep := c.Endpoint
	if ep == "" {
		ep = "aws-default"
	}
	return fmt.Sprintf("bus=%s endpoint=%s region=%s", c.BusName, ep, c.Region)
}
