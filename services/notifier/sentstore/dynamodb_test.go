package sentstore_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/alchemiser/alchemiser/pkg/dynamotest"
	"github.com/alchemiser/alchemiser/services/notifier/sentstore"
	"github.com/alchemiser/alchemiser/services/notifier/sentstore/sentstoretest"
)

// TestDynamoDB runs the same contract suite as the memory and SQLite stores, against dynalite.
func TestDynamoDB(t *testing.T) {
	client := dynamotest.Start(t)
	var n atomic.Int64
	sentstoretest.Run(t, func(t *testing.T) sentstore.Store {
		table := fmt.Sprintf("notifications-%d", n.Add(1))
		dynamotest.CreateTable(t, client, table)
		return sentstore.NewDynamoDB(client, table)
	})
}
