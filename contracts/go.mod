module github.com/alchemiser/alchemiser/contracts

go 1.26

replace github.com/alchemiser/alchemiser/pkg => ../pkg

replace github.com/alchemiser/alchemiser/services/strategy => ../services/strategy

replace github.com/alchemiser/alchemiser/services/portfolio => ../services/portfolio

replace github.com/alchemiser/alchemiser/services/execution => ../services/execution

replace github.com/alchemiser/alchemiser/services/orchestrator => ../services/orchestrator

replace github.com/alchemiser/alchemiser/services/notifier => ../services/notifier

require (
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.2 // indirect
	github.com/shopspring/decimal v1.6.0 // indirect
	golang.org/x/text v0.14.0 // indirect
)
