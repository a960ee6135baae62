// Package dynamostore is the DynamoDB implementation of idempotency.Store, for AWS. One item per
// key holds the owner, the state and the time until which the claim or the completion stands;
// every change is a single conditional write, so concurrent Lambdas cannot both acquire a key.
// The item's expires_at attribute (epoch seconds) is the table's TTL attribute.
package dynamostore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/alchemiser/alchemiser/pkg/idempotency"
)

// API is the part of the DynamoDB client the store uses.
type API interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

var _ API = (*dynamodb.Client)(nil)

// Store keeps idempotency keys in one DynamoDB table with the string partition key "pk".
type Store struct {
	api   API
	table string
}

var _ idempotency.Store = (*Store)(nil)

// New returns a store on table.
func New(api API, table string) *Store { return &Store{api: api, table: table} }

const (
	stateInProgress = "in_progress"
	stateDone       = "done"
)

func ms(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.UnixMilli(), 10)}
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// Claim puts the key unless an unexpired claim or completion holds it.
func (s *Store) Claim(ctx context.Context, key, owner string, now time.Time, lease time.Duration) (idempotency.ClaimResult, error) {
	if err := check("claim", key, owner, lease); err != nil {
		return 0, err
	}
	until := now.Add(lease)
	_, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: map[string]types.AttributeValue{
			"pk": str(key), "owner": str(owner), "state": str(stateInProgress),
			"until_ms":   ms(until),
			"expires_at": &types.AttributeValueMemberN{Value: strconv.FormatInt(until.Add(24*time.Hour).Unix(), 10)},
		},
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR until_ms <= :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": ms(now)},
	})
	if err == nil {
		return idempotency.Acquired, nil
	}
	if !conditionFailed(err) {
		return 0, fmt.Errorf("claim %s: %w", key, err)
	}
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: map[string]types.AttributeValue{"pk": str(key)}, ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, fmt.Errorf("claim %s: read holder: %w", key, err)
	}
	if st, ok := out.Item["state"].(*types.AttributeValueMemberS); ok && st.Value == stateDone {
		return idempotency.Done, nil
	}
	return idempotency.InProgress, nil
}

// Complete marks the key done if owner still holds it.
func (s *Store) Complete(ctx context.Context, key, owner string, now time.Time, retain time.Duration) error {
	if err := check("complete", key, owner, retain); err != nil {
		return err
	}
	until := now.Add(retain)
	_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       map[string]types.AttributeValue{"pk": str(key)},
		UpdateExpression:          aws.String("SET #s = :done, until_ms = :until, expires_at = :exp"),
		ConditionExpression:       aws.String("#o = :owner AND #s = :inprogress"),
		ExpressionAttributeNames:  map[string]string{"#s": "state", "#o": "owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":done": str(stateDone), ":until": ms(until), ":exp": &types.AttributeValueMemberN{Value: strconv.FormatInt(until.Unix(), 10)}, ":owner": str(owner), ":inprogress": str(stateInProgress)},
	})
	if conditionFailed(err) {
		return fmt.Errorf("complete %s by %s: %w", key, owner, idempotency.ErrNotOwner)
	}
	if err != nil {
		return fmt.Errorf("complete %s: %w", key, err)
	}
	return nil
}

// Release deletes the claim if owner still holds it.
func (s *Store) Release(ctx context.Context, key, owner string) error {
	if key == "" || owner == "" {
		return fmt.Errorf("release: empty key or owner")
	}
	_, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.table),
		Key:                       map[string]types.AttributeValue{"pk": str(key)},
		ConditionExpression:       aws.String("#o = :owner AND #s = :inprogress"),
		ExpressionAttributeNames:  map[string]string{"#s": "state", "#o": "owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":owner": str(owner), ":inprogress": str(stateInProgress)},
	})
	if conditionFailed(err) {
		return fmt.Errorf("release %s by %s: %w", key, owner, idempotency.ErrNotOwner)
	}
	if err != nil {
		return fmt.Errorf("release %s: %w", key, err)
	}
	return nil
}

func conditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

func check(op, key, owner string, d time.Duration) error {
	switch {
	case key == "":
		return fmt.Errorf("%s: empty key", op)
	case owner == "":
		return fmt.Errorf("%s %s: empty owner", op, key)
	case d <= 0:
		return fmt.Errorf("%s %s: duration %v is not positive", op, key, d)
	}
	return nil
}
