package idempotency_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/alchemiser/alchemiser/pkg/dynamotest"
	"github.com/alchemiser/alchemiser/pkg/idempotency"
	"github.com/alchemiser/alchemiser/pkg/idempotency/idempotencytest"
)

// TestContract runs the same suite as the memory and SQLite stores, against dynalite.
func TestDynamoDB(t *testing.T) {
	client := dynamotest.Start(t)
	var n atomic.Int64
	idempotencytest.Run(t, func(t *testing.T) idempotency.Store {
		table := fmt.Sprintf("idem-%d", n.Add(1))
		dynamotest.CreateTable(t, client, table)
		return idempotency.NewDynamoDB(client, table)
	})
}
