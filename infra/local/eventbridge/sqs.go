package eventbridge

import (
	"context"
	"crypto/md5" //nolint:gosec // SQS's checksum of bodies and attributes is MD5
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge/groupcommit"
)

// MessageAttribute is an SQS message attribute.
type MessageAttribute struct {
	DataType    string `json:"DataType"`
	StringValue string `json:"StringValue,omitempty"`
}

// Message is a message of a local queue.
type Message struct {
	MessageId              string                      `json:"MessageId"` //nolint:revive // AWS's field name
	ReceiptHandle          string                      `json:"ReceiptHandle,omitempty"`
	MD5OfBody              string                      `json:"MD5OfBody"`
	Body                   string                      `json:"Body"`
	Attributes             map[string]string           `json:"Attributes,omitempty"`
	MD5OfMessageAttributes string                      `json:"MD5OfMessageAttributes,omitempty"`
	MessageAttributes      map[string]MessageAttribute `json:"MessageAttributes,omitempty"`
}

var queueNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}(\.fifo)?$`)

// queueErr is SQS's "queue does not exist" error.
func queueErr(name string) *APIError {
	return &APIError{Status: http.StatusBadRequest, Type: "AWS.SimpleQueueService.NonExistentQueue", Message: fmt.Sprintf("The specified queue %s does not exist.", name)}
}

// queueName accepts a queue name, URL or ARN.
func queueName(s string) string {
	s = strings.TrimRight(s, "/")
	if strings.HasPrefix(s, "arn:") {
		return lastSegment(s, ":")
	}
	return lastSegment(s, "/")
}

// CreateQueue creates a local queue (or returns the existing one) and returns its name.
func (b *Bus) CreateQueue(ctx context.Context, name string, attrs map[string]string) error {
	if !queueNameRE.MatchString(name) {
		return &APIError{Status: http.StatusBadRequest, Type: "InvalidParameterValue", Message: "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.queues[name]; ok {
		return nil
	}
	if attrs == nil {
		attrs = map[string]string{}
	}
	now := b.now()
	raw, _ := json.Marshal(attrs)
	if err := b.wr.Do(ctx, func(tx *groupcommit.Tx) error {
		_, err := tx.Exec(`INSERT OR IGNORE INTO queues (name, attributes, created_ms) VALUES (?,?,?)`, name, string(raw), now.UnixMilli())
		return err
	}); err != nil {
		return internalErr(fmt.Errorf("store queue %s: %w", name, err))
	}
	b.queues[name] = &queueState{name: name, created: now, attrs: attrs}
	return nil
}

// DeleteQueue deletes a local queue and its messages.
func (b *Bus) DeleteQueue(ctx context.Context, name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.queues[name]; !ok {
		return queueErr(name)
	}
	if err := b.wr.Do(ctx, func(tx *groupcommit.Tx) error {
		if _, err := tx.Exec(`DELETE FROM queues WHERE name = ?`, name); err != nil {
			return err
		}
		_, err := tx.Exec(`DELETE FROM messages WHERE queue = ?`, name)
		return err
	}); err != nil {
		return internalErr(fmt.Errorf("delete queue %s: %w", name, err))
	}
	delete(b.queues, name)
	return nil
}

// QueueNames lists the local queues whose names start with prefix, sorted.
func (b *Bus) QueueNames(prefix string) []string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var out []string
	for n := range b.queues {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

func (b *Bus) hasQueue(name string) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	_, ok := b.queues[name]
	return ok
}

func insertMessage(tx *groupcommit.Tx, queue, id string, body []byte, attrs map[string]MessageAttribute, at time.Time) error {
	raw, err := json.Marshal(attrs)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`INSERT INTO messages (id, queue, body, attributes, sent_ms, visible_ms) VALUES (?,?,?,?,?,?)`, id, queue, body, string(raw), at.UnixMilli(), at.UnixMilli())
	return err
}

// SendMessage stores a message on a local queue and returns its ID.
func (b *Bus) SendMessage(ctx context.Context, queue string, body []byte, attrs map[string]MessageAttribute) (string, error) {
	if !b.hasQueue(queue) {
		return "", queueErr(queue)
	}
	id := newUUID()
	at := b.now()
	if err := b.wr.Do(ctx, func(tx *groupcommit.Tx) error { return insertMessage(tx, queue, id, body, attrs, at) }); err != nil {
		return "", internalErr(fmt.Errorf("store message on %s: %w", queue, err))
	}
	return id, nil
}

// ReceiveMessages returns up to maxN visible messages of queue and hides them for visibility.
func (b *Bus) ReceiveMessages(ctx context.Context, queue string, maxN int, visibility time.Duration) ([]Message, error) {
	if !b.hasQueue(queue) {
		return nil, queueErr(queue)
	}
	if maxN <= 0 {
		maxN = 1
	}
	maxN = min(maxN, 10)
	now := b.now()
	var out []Message
	err := b.wr.Do(ctx, func(tx *groupcommit.Tx) error {
		out = out[:0]
		rows, err := tx.Query(`SELECT id, body, attributes, sent_ms, receive_count FROM messages WHERE queue = ? AND visible_ms <= ? ORDER BY sent_ms, id LIMIT ?`, queue, now.UnixMilli(), maxN)
		if err != nil {
			return err
		}
		type row struct {
			id, attrs string
			body      []byte
			sent      int64
			count     int
		}
		var got []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.body, &r.attrs, &r.sent, &r.count); err != nil {
				rows.Close()
				return err
			}
			got = append(got, r)
		}
		rows.Close()
		for _, r := range got {
			receipt := newUUID() + "#" + r.id
			if _, err := tx.Exec(`UPDATE messages SET visible_ms = ?, receive_count = receive_count + 1, receipt = ? WHERE id = ?`, now.Add(visibility).UnixMilli(), receipt, r.id); err != nil {
				return err
			}
			m := Message{MessageId: r.id, ReceiptHandle: receipt, Body: string(r.body), MD5OfBody: md5Hex(r.body),
				Attributes: map[string]string{
					"SentTimestamp": strconv.FormatInt(r.sent, 10), "ApproximateReceiveCount": strconv.Itoa(r.count + 1),
					"ApproximateFirstReceiveTimestamp": strconv.FormatInt(now.UnixMilli(), 10), "SenderId": b.cfg.Account,
				}}
			_ = json.Unmarshal([]byte(r.attrs), &m.MessageAttributes)
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, internalErr(fmt.Errorf("receive from %s: %w", queue, err))
	}
	return out, nil
}

// PeekMessages returns every message of queue without changing its visibility.
func (b *Bus) PeekMessages(ctx context.Context, queue string) ([]Message, error) {
	if !b.hasQueue(queue) {
		return nil, queueErr(queue)
	}
	rows, err := b.db.QueryContext(ctx, `SELECT id, body, attributes, sent_ms, receive_count FROM messages WHERE queue = ? ORDER BY sent_ms, id`, queue)
	if err != nil {
		return nil, fmt.Errorf("read queue %s: %w", queue, err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var id, attrs string
		var body []byte
		var sent int64
		var count int
		if err := rows.Scan(&id, &body, &attrs, &sent, &count); err != nil {
			return nil, fmt.Errorf("read queue %s: %w", queue, err)
		}
		m := Message{MessageId: id, Body: string(body), MD5OfBody: md5Hex(body), Attributes: map[string]string{"SentTimestamp": strconv.FormatInt(sent, 10), "ApproximateReceiveCount": strconv.Itoa(count)}}
		_ = json.Unmarshal([]byte(attrs), &m.MessageAttributes)
		out = append(out, m)
	}
	return out, rows.Err()
}

// DeleteMessage deletes the message a receipt handle (or, for local tools, a message ID) names.
func (b *Bus) DeleteMessage(ctx context.Context, queue, receiptOrID string) error {
	if !b.hasQueue(queue) {
		return queueErr(queue)
	}
	err := b.wr.Do(ctx, func(tx *groupcommit.Tx) error {
		_, err := tx.Exec(`DELETE FROM messages WHERE queue = ? AND (receipt = ? OR id = ?)`, queue, receiptOrID, receiptOrID)
		return err
	})
	if err != nil {
		return internalErr(fmt.Errorf("delete message from %s: %w", queue, err))
	}
	return nil
}

// QueueAttributes returns a queue's attributes, with the approximate message counts.
func (b *Bus) QueueAttributes(ctx context.Context, queue string) (map[string]string, error) {
	b.mu.RLock()
	q := b.queues[queue]
	b.mu.RUnlock()
	if q == nil {
		return nil, queueErr(queue)
	}
	now := b.now().UnixMilli()
	var visible, hidden int64
	if err := b.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(visible_ms <= ?), 0), COALESCE(SUM(visible_ms > ?), 0) FROM messages WHERE queue = ?`, now, now, queue).Scan(&visible, &hidden); err != nil {
		return nil, internalErr(fmt.Errorf("count messages of %s: %w", queue, err))
	}
	out := map[string]string{}
	for k, v := range q.attrs {
		out[k] = v
	}
	out["QueueArn"] = b.QueueARN(queue)
	out["ApproximateNumberOfMessages"] = strconv.FormatInt(visible, 10)
	out["ApproximateNumberOfMessagesNotVisible"] = strconv.FormatInt(hidden, 10)
	out["ApproximateNumberOfMessagesDelayed"] = "0"
	out["CreatedTimestamp"] = strconv.FormatInt(q.created.Unix(), 10)
	out["LastModifiedTimestamp"] = strconv.FormatInt(q.created.Unix(), 10)
	if _, ok := out["VisibilityTimeout"]; !ok {
		out["VisibilityTimeout"] = "30"
	}
	return out, nil
}

func md5Hex(b []byte) string {
	s := md5.Sum(b) //nolint:gosec // SQS's checksum
	return hex.EncodeToString(s[:])
}

// md5OfAttributes is SQS's checksum of message attributes: for each attribute in name order,
// the length-prefixed name, data type and value, with transport type 1 (string).
func md5OfAttributes(attrs map[string]MessageAttribute) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	slices.Sort(names)
	h := md5.New() //nolint:gosec // SQS's checksum
	put := func(s string) {
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(len(s)))
		h.Write(l[:])
		h.Write([]byte(s))
	}
	for _, n := range names {
		a := attrs[n]
		put(n)
		put(a.DataType)
		h.Write([]byte{1})
		put(a.StringValue)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// selectAttributes keeps the message attributes the receiver asked for ("All", ".*", exact
// names, or "prefix.*").
func selectAttributes(attrs map[string]MessageAttribute, names []string) map[string]MessageAttribute {
	if len(attrs) == 0 || len(names) == 0 {
		return nil
	}
	out := map[string]MessageAttribute{}
	for k, v := range attrs {
		for _, n := range names {
			if n == "All" || n == ".*" || n == k || (strings.HasSuffix(n, ".*") && strings.HasPrefix(k, strings.TrimSuffix(n, "*"))) {
				out[k] = v
				break
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func selectSystemAttributes(attrs map[string]string, names []string) map[string]string {
	if len(names) == 0 {
		return nil
	}
	out := map[string]string{}
	for k, v := range attrs {
		for _, n := range names {
			if n == "All" || n == k {
				out[k] = v
			}
		}
	}
	return out
}
