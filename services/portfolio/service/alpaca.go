package service

import (
	"log/slog"

	"github.com/alchemiser/alchemiser/pkg/alpaca/alpacaclient"
	"github.com/alchemiser/alchemiser/services/portfolio/internal/adapters/alpacabroker"
)

// newAlpaca builds the broker and market-data adapters from cfg.
func newAlpaca(cfg alpacaclient.Config, logger *slog.Logger) (*alpacabroker.Adapter, *alpacabroker.Adapter, error) {
	c, err := alpacaclient.New(cfg, alpacaclient.Options{Logger: logger})
	if err != nil {
		return nil, nil, err
	}
	a := alpacabroker.New(c)
	return a, a, nil
}
