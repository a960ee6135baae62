module github.com/alchemiser/alchemiser/services/notifier

go 1.26

replace github.com/alchemiser/alchemiser/contracts => ../../contracts

replace github.com/alchemiser/alchemiser/pkg => ../../pkg

replace github.com/alchemiser/alchemiser/services/strategy => ../../services/strategy

replace github.com/alchemiser/alchemiser/services/portfolio => ../../services/portfolio

replace github.com/alchemiser/alchemiser/services/execution => ../../services/execution

replace github.com/alchemiser/alchemiser/services/orchestrator => ../../services/orchestrator
