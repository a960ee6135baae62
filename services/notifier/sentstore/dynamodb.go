package sentstore

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
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

var _ DynamoDBAPI = (*dynamodb.Client)(nil)

// DynamoDB is a Store in a DynamoDB table whose string partition key "pk" is the key (the
// stack's alchemiser-<stage>-notifications table). An item holds "sent" (bool), "message_id",
// "sent_at" and "claimed_until" (Unix nanoseconds) and "report"; any of them may be absent, as
// after a SaveReport alone. Every method is a single UpdateItem, and Claim's is conditional on
// the item being unsent with no live claim, so of two concurrent claims exactly one succeeds.
type DynamoDB struct {
	api   DynamoDBAPI
	table string
}

var _ Store = (*DynamoDB)(nil)

// NewDynamoDB returns a store on table.
func NewDynamoDB(api DynamoDBAPI, table string) *DynamoDB { return &DynamoDB{api: api, table: table} }

const (
	attrPK           = "pk"
	attrSent         = "sent"
	attrMessageID    = "message_id"
	attrSentAt       = "sent_at"
	attrClaimedUntil = "claimed_until"
	attrReport       = "report"
)

// unsent is the condition "never completed", true for a missing item or attribute.
const unsent = "(attribute_not_exists(#sent) OR #sent = :false)"

// Claim implements Store.
func (s *DynamoDB) Claim(ctx context.Context, key string, now time.Time, lease time.Duration) error {
	_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      s.key(key),
		UpdateExpression:         aws.String("SET #until = :until"),
		ConditionExpression:      aws.String(unsent + " AND (attribute_not_exists(#until) OR #until <= :now)"),
		ExpressionAttributeNames: map[string]string{"#sent": attrSent, "#until": attrClaimedUntil},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":until": nanos(now.Add(lease)), ":now": nanos(now), ":false": &types.AttributeValueMemberBOOL{Value: false},
		},
	})
	if err == nil {
		return nil
	}
	if !conditionFailed(err) {
		return fmt.Errorf("claim %s: %w", key, err)
	}
	r, err := s.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("claim %s: %w", key, err)
	}
	if r.Sent {
		return fmt.Errorf("claim %s: %w (message %s)", key, ErrSent, r.MessageID)
	}
	return fmt.Errorf("claim %s: %w", key, ErrClaimed)
}

// Complete implements Store.
func (s *DynamoDB) Complete(ctx context.Context, key, messageID string, now time.Time) error {
	_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(s.table),
		Key:                      s.key(key),
		UpdateExpression:         aws.String("SET #sent = :true, #mid = :mid, #at = :at REMOVE #until"),
		ExpressionAttributeNames: map[string]string{"#sent": attrSent, "#mid": attrMessageID, "#at": attrSentAt, "#until": attrClaimedUntil},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":true": &types.AttributeValueMemberBOOL{Value: true}, ":mid": str(messageID), ":at": nanos(now),
		},
	})
	if err != nil {
		return fmt.Errorf("complete %s: %w", key, err)
	}
	return nil
}

// Release implements Store. Releasing a key that is sent or unknown changes nothing.
func (s *DynamoDB) Release(ctx context.Context, key string) error {
	_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       s.key(key),
		UpdateExpression:          aws.String("REMOVE #until"),
		ConditionExpression:       aws.String("attribute_exists(pk) AND " + unsent),
		ExpressionAttributeNames:  map[string]string{"#sent": attrSent, "#until": attrClaimedUntil},
		ExpressionAttributeValues: map[string]types.AttributeValue{":false": &types.AttributeValueMemberBOOL{Value: false}},
	})
	if err != nil && !conditionFailed(err) {
		return fmt.Errorf("release %s: %w", key, err)
	}
	return nil
}

// Get implements Store. The read is strongly consistent.
func (s *DynamoDB) Get(ctx context.Context, key string) (Record, error) {
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.table), Key: s.key(key), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Record{}, fmt.Errorf("get %s: %w", key, err)
	}
	if len(out.Item) == 0 {
		return Record{}, fmt.Errorf("get %s: %w", key, ErrNotFound)
	}
	r := Record{Key: key}
	if v, ok := out.Item[attrSent].(*types.AttributeValueMemberBOOL); ok {
		r.Sent = v.Value
	}
	if v, ok := out.Item[attrMessageID].(*types.AttributeValueMemberS); ok {
		r.MessageID = v.Value
	}
	if v, ok := out.Item[attrReport].(*types.AttributeValueMemberS); ok {
		r.Report = v.Value
	}
	if r.SentAt, err = timeAttr(out.Item, attrSentAt); err != nil {
		return Record{}, fmt.Errorf("get %s: %w", key, err)
	}
	if r.ClaimedUntil, err = timeAttr(out.Item, attrClaimedUntil); err != nil {
		return Record{}, fmt.Errorf("get %s: %w", key, err)
	}
	return r, nil
}

// SaveReport implements Store.
func (s *DynamoDB) SaveReport(ctx context.Context, key, report string) error {
	_, err := s.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(s.table),
		Key:                       s.key(key),
		UpdateExpression:          aws.String("SET #report = :report"),
		ExpressionAttributeNames:  map[string]string{"#report": attrReport},
		ExpressionAttributeValues: map[string]types.AttributeValue{":report": str(report)},
	})
	if err != nil {
		return fmt.Errorf("save report %s: %w", key, err)
	}
	return nil
}

func (s *DynamoDB) key(k string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrPK: str(k)}
}

// timeAttr reads a Unix-nanosecond attribute; absent is the zero time.
func timeAttr(item map[string]types.AttributeValue, name string) (time.Time, error) {
	v, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("attribute %s %q: %w", name, v.Value, err)
	}
	return time.Unix(0, n).UTC(), nil
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func nanos(t time.Time) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(t.UnixNano(), 10)}
}

func conditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}
