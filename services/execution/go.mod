module github.com/alchemiser/alchemiser/services/execution

go 1.26.0

replace github.com/alchemiser/alchemiser/contracts => ../../contracts

replace github.com/alchemiser/alchemiser/pkg => ../../pkg

replace github.com/alchemiser/alchemiser/services/strategy => ../../services/strategy

replace github.com/alchemiser/alchemiser/services/portfolio => ../../services/portfolio

replace github.com/alchemiser/alchemiser/services/orchestrator => ../../services/orchestrator

replace github.com/alchemiser/alchemiser/services/notifier => ../../services/notifier

require (
	github.com/alchemiser/alchemiser/pkg v0.0.0
	github.com/google/go-cmp v0.7.0
	github.com/shopspring/decimal v1.6.0
)
