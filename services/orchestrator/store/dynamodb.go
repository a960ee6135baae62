package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ErrTooLarge means a record does not fit in one DynamoDB item even compressed.
var ErrTooLarge = errors.New("workflow record too large for one DynamoDB item")

// DynamoDBAPI is the part of the DynamoDB client the DynamoDB store uses.
type DynamoDBAPI interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

var _ DynamoDBAPI = (*dynamodb.Client)(nil)

// DynamoDB is a Store in a DynamoDB table whose string partition key "pk" is the correlation
// ID (the stack's alchemiser-<stage>-workflows table).
//
// Each record is one item: the whole Record as JSON in the attribute "record", beside the
// attributes that conditions and filters use ("version", "state", "started_at" in Unix
// nanoseconds, "open"). Create is a PutItem conditional on attribute_not_exists(pk); Update is a
// PutItem of the whole item conditional on version = the version read, so of two writers that
// read the same version exactly one wins.
//
// DynamoDB items are limited to 400 KB, and records keep their events' payloads. A record whose
// JSON exceeds MaxRecordBytes is stored gzip-compressed in the binary attribute "record_gz"
// instead (event JSON compresses about tenfold); one that is still too large is refused with
// ErrTooLarge, so the caller fails loudly instead of DynamoDB rejecting a half-understood item.
//
// List is a Scan with a filter expression, read to the end and sorted in memory: the table holds
// one record per workflow run (one or a few a day), so a full scan stays small and needs no
// secondary index. Revisit this if the table grows to many thousands of records.
type DynamoDB struct {
	api   DynamoDBAPI
	table string
}

var _ Store = (*DynamoDB)(nil)

// MaxRecordBytes is the largest record attribute the DynamoDB store writes, plain or compressed:
// DynamoDB's 400 KB item limit less room for the other attributes.
const MaxRecordBytes = 380 * 1024

// NewDynamoDB returns a store on table.
func NewDynamoDB(api DynamoDBAPI, table string) *DynamoDB { return &DynamoDB{api: api, table: table} }

const (
	attrPK        = "pk"
	attrVersion   = "version"
	attrState     = "state"
	attrStartedAt = "started_at"
	attrOpen      = "open"
	attrRecord    = "record"
	attrRecordGz  = "record_gz"
)

// Create implements Store.
func (s *DynamoDB) Create(ctx context.Context, r Record) error {
	r.Version = 1
	item, err := toItem(r)
	if err != nil {
		return fmt.Errorf("create workflow %s: %w", r.CorrelationID, err)
	}
	_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(s.table),
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	if conditionFailed(err) {
		return fmt.Errorf("create workflow %s: %w", r.CorrelationID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("create workflow %s: %w", r.CorrelationID, err)
	}
	return nil
}

// Get implements Store. The read is strongly consistent, so a Get after an Update sees it.
func (s *DynamoDB) Get(ctx context.Context, id string) (Record, error) {
	out, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(s.table),
		Key:            map[string]types.AttributeValue{attrPK: str(id)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Record{}, fmt.Errorf("get workflow %s: %w", id, err)
	}
	if len(out.Item) == 0 {
		return Record{}, fmt.Errorf("get workflow %s: %w", id, ErrNotFound)
	}
	return fromItem(id, out.Item)
}

// Update implements Store.
func (s *DynamoDB) Update(ctx context.Context, r Record) (Record, error) {
	expected := r.Version
	r.Version++
	item, err := toItem(r)
	if err != nil {
		return Record{}, fmt.Errorf("update workflow %s: %w", r.CorrelationID, err)
	}
	_, err = s.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.table),
		Item:                      item,
		ConditionExpression:       aws.String("#v = :v"),
		ExpressionAttributeNames:  map[string]string{"#v": attrVersion},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": num(expected)},
	})
	if conditionFailed(err) {
		// A missing item fails the condition too: tell the two apart.
		if _, err := s.Get(ctx, r.CorrelationID); err != nil {
			return Record{}, fmt.Errorf("update workflow: %w", err)
		}
		return Record{}, fmt.Errorf("update workflow %s at version %d: %w", r.CorrelationID, expected, ErrConflict)
	}
	if err != nil {
		return Record{}, fmt.Errorf("update workflow %s: %w", r.CorrelationID, err)
	}
	return r, nil
}

// List implements Store with a filtered, strongly consistent Scan of the whole table (see
// DynamoDB for why that is acceptable here).
func (s *DynamoDB) List(ctx context.Context, f Filter) ([]Record, error) {
	in := &dynamodb.ScanInput{TableName: aws.String(s.table), ConsistentRead: aws.Bool(true)}
	var conds []string
	names := map[string]string{}
	values := map[string]types.AttributeValue{}
	if f.State != "" {
		conds = append(conds, "#state = :state")
		names["#state"], values[":state"] = attrState, str(f.State)
	}
	if !f.Since.IsZero() {
		conds = append(conds, "#started >= :since")
		names["#started"], values[":since"] = attrStartedAt, num(f.Since.UnixNano())
	}
	if f.OpenOnly {
		conds = append(conds, "#open = :open")
		names["#open"], values[":open"] = attrOpen, &types.AttributeValueMemberBOOL{Value: true}
	}
	if len(conds) > 0 {
		in.FilterExpression = aws.String(strings.Join(conds, " AND "))
		in.ExpressionAttributeNames, in.ExpressionAttributeValues = names, values
	}
	var out []Record
	for {
		page, err := s.api.Scan(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list workflows: %w", err)
		}
		for _, item := range page.Items {
			id := ""
			if v, ok := item[attrPK].(*types.AttributeValueMemberS); ok {
				id = v.Value
			}
			r, err := fromItem(id, item)
			if err != nil {
				return nil, fmt.Errorf("list workflows: %w", err)
			}
			if f.Match(r) { // the filter expression already did this; it costs nothing to be sure
				out = append(out, r)
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].StartedAt.Equal(out[j].StartedAt) {
			return out[i].StartedAt.After(out[j].StartedAt)
		}
		return out[i].CorrelationID < out[j].CorrelationID
	})
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// toItem encodes r as an item, compressing its JSON if it is larger than MaxRecordBytes.
func toItem(r Record) (map[string]types.AttributeValue, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode record: %w", err)
	}
	item := map[string]types.AttributeValue{
		attrPK:        str(r.CorrelationID),
		attrVersion:   num(r.Version),
		attrState:     str(r.State),
		attrStartedAt: num(r.StartedAt.UnixNano()),
		attrOpen:      &types.AttributeValueMemberBOOL{Value: r.Open()},
	}
	if len(b) <= MaxRecordBytes {
		item[attrRecord] = str(string(b))
		return item, nil
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed) // the level is valid, so no error
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("compress record: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress record: %w", err)
	}
	if buf.Len() > MaxRecordBytes {
		return nil, fmt.Errorf("%w: %d bytes of JSON, %d compressed, limit %d (%d events)",
			ErrTooLarge, len(b), buf.Len(), MaxRecordBytes, len(r.Events))
	}
	item[attrRecordGz] = &types.AttributeValueMemberB{Value: buf.Bytes()}
	return item, nil
}

// fromItem decodes an item written by toItem.
func fromItem(id string, item map[string]types.AttributeValue) (Record, error) {
	if v, ok := item[attrRecord].(*types.AttributeValueMemberS); ok {
		return decode(id, []byte(v.Value))
	}
	v, ok := item[attrRecordGz].(*types.AttributeValueMemberB)
	if !ok {
		return Record{}, fmt.Errorf("decode workflow %s: the item has neither %s nor %s", id, attrRecord, attrRecordGz)
	}
	zr, err := gzip.NewReader(bytes.NewReader(v.Value))
	if err != nil {
		return Record{}, fmt.Errorf("decode workflow %s: decompress: %w", id, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return Record{}, fmt.Errorf("decode workflow %s: decompress: %w", id, err)
	}
	return decode(id, b)
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func conditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}
