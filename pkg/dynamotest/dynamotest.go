// Package dynamotest starts a local DynamoDB-compatible server (dynalite, from the npm registry)
// for the contract tests of DynamoDB adapters, and makes tables in it.
//
// The dynalite binary is found through $DYNALITE, or at infra/aws/node_modules/.bin/dynalite
// above the working directory (`npm ci` in infra/aws installs it). Where it is absent, Start
// skips the test with a message that says how to install it.
package dynamotest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Start runs dynalite in memory on a free loopback port for the rest of the test, and returns a
// client of the real SDK pointed at it.
func Start(t testing.TB) *dynamodb.Client {
	t.Helper()
	bin, err := find()
	if err != nil {
		t.Skipf("dynalite not found (%v): run `npm ci` in infra/aws, or set DYNALITE", err)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cmd := exec.CommandContext(ctx, bin, "--host", "127.0.0.1", "--port", fmt.Sprint(port),
			"--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
		cmd.Env = append(os.Environ(), "npm_config_update_notifier=false")
		if err := cmd.Start(); err != nil {
			cancel()
			t.Fatalf("start dynalite: %v", err)
		}
		client := dynamodb.New(dynamodb.Options{
			Region:       "us-east-1",
			BaseEndpoint: aws.String(fmt.Sprintf("http://127.0.0.1:%d", port)),
			Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		})
		if lastErr = waitReady(client, 15*time.Second); lastErr == nil {
			t.Cleanup(func() { cancel(); _ = cmd.Wait() })
			return client
		}
		cancel()
		_ = cmd.Wait()
	}
	t.Fatalf("dynalite did not start: %v", lastErr)
	return nil
}

// CreateTable makes a table with a string partition key pk, on demand.
func CreateTable(t testing.TB, c *dynamodb.Client, name string) {
	t.Helper()
	_, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("create table %s: %v", name, err)
	}
	w := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = 10 * time.Millisecond })
	if err := w.Wait(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 10*time.Second); err != nil {
		t.Fatalf("table %s did not become active: %v", name, err)
	}
}

func find() (string, error) {
	if p := os.Getenv("DYNALITE"); p != "" {
		return p, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "infra", "aws", "node_modules", ".bin", "dynalite")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no infra/aws/node_modules/.bin/dynalite above the working directory")
		}
		dir = parent
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls ListTables until the server answers or the deadline passes.
func waitReady(c *dynamodb.Client, within time.Duration) error {
	deadline := time.Now().Add(within)
	var err error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err = c.ListTables(ctx, &dynamodb.ListTablesInput{})
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond) // the poll interval
	}
	return err
}
