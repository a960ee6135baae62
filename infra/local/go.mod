module github.com/alchemiser/alchemiser/infra/local

go 1.26

require (
	github.com/alchemiser/alchemiser/pkg v0.0.0
	github.com/shopspring/decimal v1.6.0
	github.com/spf13/cobra v1.10.2
)

require (
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	github.com/spf13/pflag v1.0.9 // indirect
)

replace github.com/alchemiser/alchemiser/contracts => ../../contracts

replace github.com/alchemiser/alchemiser/pkg => ../../pkg

replace github.com/alchemiser/alchemiser/services/strategy => ../../services/strategy

replace github.com/alchemiser/alchemiser/services/portfolio => ../../services/portfolio

replace github.com/alchemiser/alchemiser/services/execution => ../../services/execution

replace github.com/alchemiser/alchemiser/services/orchestrator => ../../services/orchestrator

replace github.com/alchemiser/alchemiser/services/notifier => ../../services/notifier
