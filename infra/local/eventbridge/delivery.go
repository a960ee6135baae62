package eventbridge

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge/groupcommit"
)

// The values of the EXHAUSTED_RETRY_CONDITION dead-letter attribute.
const (
	ConditionMaximumRetryAttempts     = "MaximumRetryAttempts"
	ConditionMaximumEventAgeInSeconds = "MaximumEventAgeInSeconds"
)

// The dead-letter message attributes, as AWS names them.
const (
	AttrRuleARN                 = "RULE_ARN"
	AttrTargetARN               = "TARGET_ARN"
	AttrErrorCode               = "ERROR_CODE"
	AttrErrorMessage            = "ERROR_MESSAGE"
	AttrExhaustedRetryCondition = "EXHAUSTED_RETRY_CONDITION"
	AttrRetryAttempts           = "RETRY_ATTEMPTS"
)

// delivery is one event on its way to one target: a row of the outbox.
type delivery struct {
	id         int64
	eventID    string
	corrID     string
	bus        string
	rule       string
	targetID   string
	targetARN  string
	input      []byte
	received   time.Time
	attempts   int
	next       time.Time
	maxRetries int
	maxAgeS    int
	dlqARN     string
	lastCode   string
	lastMsg    string
}

// workQueue is an unbounded FIFO of deliveries ready to be attempted.
type workQueue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []*delivery
	head   int
	closed bool
}

func newWorkQueue() *workQueue {
	q := &workQueue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *workQueue) push(d *delivery) {
	q.mu.Lock()
	if !q.closed {
		q.items = append(q.items, d)
		q.cond.Signal()
	}
	q.mu.Unlock()
}

func (q *workQueue) pop() (*delivery, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.head == len(q.items) && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return nil, false
	}
	d := q.items[q.head]
	q.items[q.head] = nil
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	}
	return d, true
}

func (q *workQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
}

func (b *Bus) worker() {
	defer b.wg.Done()
	for {
		d, ok := b.work.pop()
		if !ok {
			return
		}
		b.attempt(d)
	}
}

// after re-queues d once wait has passed, unless the bus closes first.
func (b *Bus) after(wait time.Duration, d *delivery) {
	b.timers.Add(1)
	go func() {
		defer b.timers.Done()
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
			b.work.push(d)
		case <-b.ctx.Done():
		}
	}()
}

// backoff returns the delay before retry n (1-based): exponential, capped, with full jitter
// over the upper half.
func (b *Bus) backoff(n int) time.Duration {
	d := b.cfg.RetryBaseDelay
	for i := 1; i < n && d < b.cfg.RetryMaxDelay; i++ {
		d *= 2
	}
	d = min(d, b.cfg.RetryMaxDelay)
	b.rngMu.Lock()
	j := b.rng.Float64()
	b.rngMu.Unlock()
	return d/2 + time.Duration(j*float64(d/2))
}

func (b *Bus) attempt(d *delivery) {
	if b.ctx.Err() != nil {
		return
	}
	now := b.now()
	if now.Sub(d.received) >= time.Duration(d.maxAgeS)*time.Second {
		b.deadLetter(d, ConditionMaximumEventAgeInSeconds)
		return
	}
	start := time.Now()
	err := b.send(b.ctx, d)
	latency := time.Since(start)
	if b.ctx.Err() != nil && err != nil {
		return // shutting down: the delivery stays pending in the database
	}
	d.attempts++
	at := b.now()
	if err == nil {
		b.completed(completion{d: *d, at: at, latency: latency})
		b.outstanding.Add(-1)
		b.publishAttempt(d, at, latency, "delivered", "", "")
		return
	}
	d.lastCode, d.lastMsg = errorParts(err)
	switch {
	case d.attempts > d.maxRetries:
		b.recordFailure(d, at, latency)
		b.deadLetter(d, ConditionMaximumRetryAttempts)
	case at.Sub(d.received) >= time.Duration(d.maxAgeS)*time.Second:
		b.recordFailure(d, at, latency)
		b.deadLetter(d, ConditionMaximumEventAgeInSeconds)
	default:
		wait := b.backoff(d.attempts)
		d.next = at.Add(wait)
		snap := *d
		b.wr.Go(func(tx *groupcommit.Tx) error {
			if _, err := tx.Exec(`UPDATE deliveries SET attempts = ?, next_ms = ?, last_code = ?, last_message = ? WHERE id = ?`,
				snap.attempts, snap.next.UnixMilli(), snap.lastCode, snap.lastMsg, snap.id); err != nil {
				return err
			}
			return insertAttempt(tx, &snap, at, latency, "failed", snap.lastCode, snap.lastMsg)
		}, b.logWriteErr)
		b.publishAttempt(d, at, latency, "failed", d.lastCode, d.lastMsg)
		b.after(wait, d)
	}
}

func (b *Bus) recordFailure(d *delivery, at time.Time, latency time.Duration) {
	snap := *d
	b.wr.Go(func(tx *groupcommit.Tx) error {
		return insertAttempt(tx, &snap, at, latency, "failed", snap.lastCode, snap.lastMsg)
	}, b.logWriteErr)
	b.publishAttempt(d, at, latency, "failed", d.lastCode, d.lastMsg)
}

func (b *Bus) logWriteErr(err error) {
	if !errors.Is(err, groupcommit.ErrClosed) {
		b.log.Error("write delivery state", "error", err)
	}
}

func insertAttempt(tx *groupcommit.Tx, d *delivery, at time.Time, latency time.Duration, outcome, code, msg string) error {
	_, err := tx.Exec(`INSERT INTO attempts (event_id, correlation_id, rule, target_id, target_arn, attempt, at_ms, latency_us, outcome, error_code, error_message) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		d.eventID, d.corrID, d.rule, d.targetID, d.targetARN, d.attempts, at.UnixMilli(), latency.Microseconds(), outcome, code, msg)
	return err
}

// deadLetter moves d to its dead-letter queue (or drops it when it has none) in one transaction.
func (b *Bus) deadLetter(d *delivery, condition string) {
	at := b.now()
	retries := max(d.attempts-1, 0)
	attrs := map[string]MessageAttribute{
		AttrRuleARN:                 {DataType: "String", StringValue: b.RuleARN(d.bus, d.rule)},
		AttrTargetARN:               {DataType: "String", StringValue: d.targetARN},
		AttrErrorCode:               {DataType: "String", StringValue: d.lastCode},
		AttrErrorMessage:            {DataType: "String", StringValue: d.lastMsg},
		AttrExhaustedRetryCondition: {DataType: "String", StringValue: condition},
		AttrRetryAttempts:           {DataType: "Number", StringValue: strconv.Itoa(retries)},
	}
	if d.lastCode == "" {
		attrs[AttrErrorCode] = MessageAttribute{DataType: "String", StringValue: "NotDelivered"}
		attrs[AttrErrorMessage] = MessageAttribute{DataType: "String", StringValue: "the event was too old to deliver"}
	}
	queue := ""
	if d.dlqARN != "" {
		name := lastSegment(d.dlqARN, ":")
		b.mu.RLock()
		_, ok := b.queues[name]
		b.mu.RUnlock()
		if ok {
			queue = name
		}
	}
	outcome := "dead-lettered"
	msg := fmt.Sprintf("%s: %s", condition, d.lastMsg)
	if queue == "" {
		outcome = "dropped"
		if d.dlqARN != "" {
			msg = fmt.Sprintf("%s; dead-letter queue %s does not exist", msg, d.dlqARN)
		}
		b.log.Warn("event dropped after retries", "event_id", d.eventID, "rule", d.rule, "target", d.targetARN, "condition", condition)
	}
	msgID := newUUID()
	err := b.wr.Do(context.Background(), func(tx *groupcommit.Tx) error {
		if queue != "" {
			if err := insertMessage(tx, queue, msgID, d.input, attrs, at); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`DELETE FROM deliveries WHERE id = ?`, d.id); err != nil {
			return err
		}
		return insertAttempt(tx, d, at, 0, outcome, condition, msg)
	})
	if err != nil {
		b.logWriteErr(fmt.Errorf("dead-letter event %s: %w", d.eventID, err))
		return
	}
	b.outstanding.Add(-1)
	b.publishAttempt(d, at, 0, outcome, condition, strings.TrimSpace(msg))
}

// send delivers d to its target once.
func (b *Bus) send(ctx context.Context, d *delivery) error {
	arn := d.targetARN
	switch {
	case strings.HasPrefix(arn, "arn:aws:lambda:"):
		if b.cfg.Lambda == nil {
			return &TargetError{Code: "ResourceNotFoundException", Message: "Function not found: " + arn}
		}
		return b.cfg.Lambda.Dispatch(ctx, arn, d.input)
	case strings.HasPrefix(arn, "arn:aws:sqs:"):
		name := lastSegment(arn, ":")
		_, err := b.SendMessage(ctx, name, d.input, nil)
		return err
	case strings.HasPrefix(arn, "arn:aws:logs:"):
		b.log.Info("event delivered to log target", "target", arn, "rule", d.rule, "event", string(d.input))
		return nil
	case strings.HasPrefix(arn, "arn:aws:events:") && strings.Contains(arn, ":event-bus/"):
		var env envelope
		if err := jsonUnmarshal(d.input, &env); err != nil {
			return &TargetError{Code: "InvalidInput", Message: err.Error()}
		}
		res, err := b.PutEvents(ctx, []PutEventsRequestEntry{{Source: env.Source, DetailType: env.DetailType, Detail: string(env.Detail), Resources: env.Resources, EventBusName: arn}})
		if err != nil {
			return err
		}
		if res[0].ErrorCode != "" {
			return &TargetError{Code: res[0].ErrorCode, Message: res[0].ErrorMessage}
		}
		return nil
	default:
		return &TargetError{Code: "InvalidTarget", Message: "the local bus cannot deliver to " + arn}
	}
}

// completion is a delivery that succeeded, waiting to be written.
type completion struct {
	d       delivery
	at      time.Time
	latency time.Duration
}

// completed queues a successful delivery's bookkeeping (delete the outbox row, log the attempt).
// Completions that arrive while a flush is queued join it, so a burst costs two statements per
// hundred deliveries rather than two per delivery.
func (b *Bus) completed(c completion) {
	b.doneMu.Lock()
	b.doneBuf = append(b.doneBuf, c)
	first := len(b.doneBuf) == 1
	b.doneMu.Unlock()
	if !first {
		return
	}
	var taken []completion
	took := false
	b.wr.Go(func(tx *groupcommit.Tx) error {
		if !took { // a batch that is run again (after another write failed) reuses what it took
			b.doneMu.Lock()
			taken, b.doneBuf = b.doneBuf, nil
			b.doneMu.Unlock()
			took = true
		}
		return writeCompletions(tx, taken)
	}, b.logWriteErr)
}

func writeCompletions(tx *groupcommit.Tx, cs []completion) error {
	const chunk = 100
	for len(cs) > 0 {
		n := min(len(cs), chunk)
		ids := make([]any, 0, n)
		rows := make([]any, 0, 8*n)
		for _, c := range cs[:n] {
			d := &c.d
			ids = append(ids, d.id)
			rows = append(rows, d.eventID, d.corrID, d.rule, d.targetID, d.targetARN, d.attempts, c.at.UnixMilli(), c.latency.Microseconds())
		}
		if _, err := tx.Exec(`DELETE FROM deliveries WHERE id IN (`+strings.TrimSuffix(strings.Repeat("?,", n), ",")+`)`, ids...); err != nil {
			return fmt.Errorf("delete %d delivered: %w", n, err)
		}
		if _, err := tx.Exec(`INSERT INTO attempts (event_id, correlation_id, rule, target_id, target_arn, attempt, at_ms, latency_us, outcome, error_code, error_message) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?,?,?,'delivered','',''),", n), ","), rows...); err != nil {
			return fmt.Errorf("log %d attempts: %w", n, err)
		}
		cs = cs[n:]
	}
	return nil
}
