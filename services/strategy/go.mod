module github.com/alchemiser/alchemiser/services/strategy

go 1.26.0

replace github.com/alchemiser/alchemiser/contracts => ../../contracts

replace github.com/alchemiser/alchemiser/pkg => ../../pkg

replace github.com/alchemiser/alchemiser/services/portfolio => ../../services/portfolio

replace github.com/alchemiser/alchemiser/services/execution => ../../services/execution

replace github.com/alchemiser/alchemiser/services/orchestrator => ../../services/orchestrator

replace github.com/alchemiser/alchemiser/services/notifier => ../../services/notifier

require github.com/alchemiser/alchemiser/pkg v0.0.0

require github.com/shopspring/decimal v1.6.0
