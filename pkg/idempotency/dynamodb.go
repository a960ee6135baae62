package idempotency

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DynamoDBAPI is the part of the DynamoDB client the DynamoDB store uses.
type DynamoDBAPI interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

var _ DynamoDBAPI = (*dynamodb.Client)(nil)

// DynamoDB is the Store for AWS: one item per key in a table with the string partition key
// "pk" holds the owner, the state and the time until which the claim or the completion stands.
// Every change is a single conditional write, so concurrent Lambdas cannot both acquire a key.
// The item's expires_at attribute (epoch seconds) is the table's TTL attribute.
type DynamoDB struct {
	api   DynamoDBAPI
	table string
}

var _ Store = (*DynamoDB)(nil)

// NewDynamoDB returns a store on table.
func NewDynamoDB(api DynamoDBAPI, table string) *DynamoDB { return &DynamoDB{api: api, table: table} }

const (
	dynamoInProgress = "in_progress"
	dynamoDone       = "done"
)

func epochMS(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.UnixMilli(), 10)}
}

func dynStr(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// Claim puts the key unless an unexpired claim or completion holds it.
func (s *DynamoDB) Claim(ctx context.Context, key, owner string, now time.Time, lease time.Duration) (ClaimResult, error) {
	if err := checkArgs("claim", key, owner, lease); err != nil {
		return 0, err
	}
	until := now.Add(lease)
	_, err := s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table),
		Item: map[string]types.AttributeValue{
			"pk": dynStr(key), "owner": dynStr(owner), "state": dynStr(dynamoInProgress),
			"until_ms":   epochMS(until),
			"expires_at": &types.AttributeValueMemberN{Value: strconv.FormatInt(until.Add(24*time.Hour).Unix(), 10)},
		},
		ConditionExpression:       aws.String("attribute_not_exists(pk) OR until_ms <= :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": epochMS(now)},
	})
	if err == nil {
		return Acquired, nil
	}
	if !conditionFailed(err) {
		return 0, fmt.Errorf("claim %s: %w", key, err)
	}
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: map[string]types.AttributeValue{"pk": dynStr(key)}, ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, fmt.Errorf("claim %s: read holder: %w", key, err)
	}
	if st, ok := out.Item["state"].(*types.AttributeValueMemberS); ok && st.Value == dynamoDone {
		return Done, nil
	}
	return InProgress, nil
}

// Complete marks the key done if owner still holds it.
func (s *DynamoDB) Complete(ctx context.Context, key, owner string, now time.Time, retain time.Duration) error {
	if err := checkArgs("complete", key, owner, retain); err != nil {
		return err
	}
	until := now.Add(retain)
	_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       map[string]types.AttributeValue{"pk": dynStr(key)},
		UpdateExpression:          aws.String("SET #s = :done, until_ms = :until, expires_at = :exp"),
		ConditionExpression:       aws.String("#o = :owner AND #s = :inprogress"),
		ExpressionAttributeNames:  map[string]string{"#s": "state", "#o": "owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":done": dynStr(dynamoDone), ":until": epochMS(until), ":exp": &types.AttributeValueMemberN{Value: strconv.FormatInt(until.Unix(), 10)}, ":owner": dynStr(owner), ":inprogress": dynStr(dynamoInProgress)},
	})
	if conditionFailed(err) {
		return fmt.Errorf("complete %s by %s: %w", key, owner, ErrNotOwner)
	}
	if err != nil {
		return fmt.Errorf("complete %s: %w", key, err)
	}
	return nil
}

// Release deletes the claim if owner still holds it.
func (s *DynamoDB) Release(ctx context.Context, key, owner string) error {
	if key == "" || owner == "" {
		return fmt.Errorf("release: empty key or owner")
	}
	_, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.table),
		Key:                       map[string]types.AttributeValue{"pk": dynStr(key)},
		ConditionExpression:       aws.String("#o = :owner AND #s = :inprogress"),
		ExpressionAttributeNames:  map[string]string{"#s": "state", "#o": "owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":owner": dynStr(owner), ":inprogress": dynStr(dynamoInProgress)},
	})
	if conditionFailed(err) {
		return fmt.Errorf("release %s by %s: %w", key, owner, ErrNotOwner)
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
