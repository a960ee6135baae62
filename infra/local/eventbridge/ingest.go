package eventbridge

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge/groupcommit"
	"github.com/alchemiser/alchemiser/pkg/eventpattern"
)

// envelope is an event as the bus stores and delivers it.
type envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
	ReplayName string          `json:"replay-name,omitempty"`
}

// accepted is an event that passed validation, ready to be stored and delivered.
type accepted struct {
	bus        *busState
	id         string
	time       time.Time
	corrID     string
	source     string
	detailType string
	raw        []byte
	replay     string
	onlyRules  map[string]bool // replay FilterArns as rule names; nil means every rule
	rules      []string
	deliveries []*delivery
	archives   []string
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = (b[6] & 0x0f) | 0x40
	b[8] = (b[8] & 0x3f) | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// correlationOf reads detail.correlation_id, if the detail has one.
func correlationOf(detail []byte) string {
	var d struct {
		CorrelationID string `json:"correlation_id"`
	}
	if json.Unmarshal(detail, &d) != nil {
		return ""
	}
	return d.CorrelationID
}

func entrySize(e PutEventsRequestEntry) int {
	n := len(e.Source) + len(e.DetailType) + len(e.Detail)
	if e.Time != nil {
		n += 14
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

func isJSONObject(s string) bool {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "{") {
		return false
	}
	return json.Valid([]byte(t))
}

// PutEvents validates, stores and routes up to 10 events and returns one result per entry. It
// returns once the events and their pending deliveries are durable; delivery is asynchronous.
func (b *Bus) PutEvents(ctx context.Context, entries []PutEventsRequestEntry) ([]PutEventsResultEntry, error) {
	if len(entries) == 0 || len(entries) > 10 {
		return nil, validationErr("1 validation error detected: Value '%d' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1", len(entries))
	}
	results := make([]PutEventsResultEntry, len(entries))
	batch := make([]*accepted, 0, len(entries))
	idx := make([]int, 0, len(entries))
	now := b.now()
	b.mu.RLock()
	for i, e := range entries {
		a, code, msg := b.accept(e, now)
		if code != "" {
			results[i] = PutEventsResultEntry{ErrorCode: code, ErrorMessage: msg}
			continue
		}
		batch = append(batch, a)
		idx = append(idx, i)
	}
	b.mu.RUnlock()
	if len(batch) == 0 {
		return results, nil
	}
	if err := b.store(ctx, batch, now); err != nil {
		for _, i := range idx {
			results[i] = PutEventsResultEntry{ErrorCode: "InternalFailure", ErrorMessage: "the bus could not store the event"}
		}
		b.log.Error("store events", "error", err)
		return results, nil
	}
	for j, a := range batch {
		results[idx[j]] = PutEventsResultEntry{EventId: a.id}
	}
	b.dispatchAccepted(batch)
	return results, nil
}

// accept validates e and routes it; it runs under b.mu read lock.
func (b *Bus) accept(e PutEventsRequestEntry, now time.Time) (*accepted, string, string) {
	switch {
	case e.Source == "":
		return nil, "InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."
	case e.DetailType == "":
		return nil, "InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."
	case e.Detail == "":
		return nil, "InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."
	case entrySize(e) > MaxEntrySize:
		return nil, "InvalidArgument", fmt.Sprintf("Entry size %d exceeds the limit of %d bytes.", entrySize(e), MaxEntrySize)
	case !isJSONObject(e.Detail):
		return nil, "MalformedDetail", "Detail is malformed."
	}
	bs := b.buses[busName(e.EventBusName)]
	if bs == nil {
		return nil, "ResourceNotFoundException", fmt.Sprintf("Event bus %s does not exist.", busName(e.EventBusName))
	}
	at := now
	if e.Time != nil && !time.Time(*e.Time).IsZero() {
		at = time.Time(*e.Time).UTC()
	}
	resources := e.Resources
	if resources == nil {
		resources = []string{}
	}
	env := envelope{Version: "0", ID: newUUID(), DetailType: e.DetailType, Source: e.Source, Account: b.cfg.Account,
		Time: at.Truncate(time.Second).Format(time.RFC3339), Region: b.cfg.Region, Resources: resources, Detail: json.RawMessage(strings.TrimSpace(e.Detail))}
	raw, err := json.Marshal(env)
	if err != nil {
		return nil, "MalformedDetail", "Detail is malformed."
	}
	a := &accepted{bus: bs, id: env.ID, time: at.Truncate(time.Second), corrID: correlationOf(env.Detail), source: e.Source, detailType: e.DetailType, raw: raw}
	if err := b.route(a, now); err != nil {
		return nil, "MalformedDetail", "Detail is malformed."
	}
	return a, "", ""
}

// route matches a against its bus's rules and archives and plans its deliveries. Caller holds
// b.mu for reading.
func (b *Bus) route(a *accepted, now time.Time) error {
	ev, err := eventpattern.ParseEvent(a.raw)
	if err != nil {
		return err
	}
	for _, name := range a.bus.matcher.MatchEvent(ev) {
		if a.onlyRules != nil && !a.onlyRules[name] {
			continue
		}
		r := a.bus.rules[name]
		if r == nil || !r.enabled() {
			continue
		}
		a.rules = append(a.rules, name)
		for _, t := range sortedTargets(r.targets) {
			input, err := targetInput(t, a.raw)
			if err != nil {
				b.log.Warn("target input", "rule", name, "target", t.Id, "error", err)
				continue
			}
			a.deliveries = append(a.deliveries, &delivery{
				id: b.nextDelivery.Add(1), eventID: a.id, corrID: a.corrID, bus: a.bus.name, rule: name,
				targetID: t.Id, targetARN: t.Arn, input: input, received: now,
				maxRetries: t.maxRetries(), maxAgeS: t.maxAge(), dlqARN: t.dlq(),
			})
		}
	}
	if a.replay == "" {
		for _, ar := range a.bus.archives {
			if ar.State != "ENABLED" {
				continue
			}
			if ar.pattern == nil || ar.pattern.MatchEvent(ev) {
				a.archives = append(a.archives, ar.ArchiveName)
			}
		}
	}
	return nil
}

// targetInput applies a target's Input or InputPath to the event.
func targetInput(t Target, raw []byte) ([]byte, error) {
	switch {
	case t.Input != "":
		return []byte(t.Input), nil
	case t.InputPath != "" && t.InputPath != "$":
		path := strings.TrimPrefix(t.InputPath, "$.")
		var cur any
		if err := json.Unmarshal(raw, &cur); err != nil {
			return nil, fmt.Errorf("apply InputPath %s: %w", t.InputPath, err)
		}
		for _, p := range strings.Split(path, ".") {
			m, ok := cur.(map[string]any)
			if !ok {
				return []byte("null"), nil
			}
			cur = m[p]
		}
		return json.Marshal(cur)
	default:
		return raw, nil
	}
}

// placeholders returns n groups of k comma-separated '?', for a multi-row VALUES clause.
func placeholders(n, k int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", k), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(row+",", n), ",")
}

// store writes the accepted events, their deliveries and archive copies in one group commit,
// with one multi-row statement per table.
func (b *Bus) store(ctx context.Context, batch []*accepted, now time.Time) error {
	return b.wr.Do(ctx, func(tx *groupcommit.Tx) error {
		args := make([]any, 0, 7*len(batch))
		for _, a := range batch {
			args = append(args, a.id, a.bus.name, a.time.UnixMilli(), now.UnixMilli(), a.corrID, strings.Join(a.rules, ","), a.raw)
		}
		res, err := tx.Exec(`INSERT INTO events (id, bus, time_ms, received_ms, correlation_id, rules, envelope) VALUES `+placeholders(len(batch), 7), args...)
		if err != nil {
			return fmt.Errorf("insert %d events: %w", len(batch), err)
		}
		last, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("insert %d events: %w", len(batch), err)
		}
		// One INSERT assigns consecutive sequence numbers to its rows, in order.
		first := last - int64(len(batch)) + 1
		args = args[:0]
		var archived []any
		nd, na := 0, 0
		for i, a := range batch {
			for _, d := range a.deliveries {
				input := d.input
				if bytes.Equal(input, a.raw) {
					input = []byte{} // the event itself: read from events at resume
				}
				args = append(args, d.id, d.eventID, d.corrID, d.bus, d.rule, d.targetID, d.targetARN, first+int64(i), input, now.UnixMilli(), d.maxRetries, d.maxAgeS, d.dlqARN)
				nd++
			}
			for _, ar := range a.archives {
				archived = append(archived, ar, a.time.UnixMilli(), a.raw)
				na++
			}
		}
		if nd > 0 {
			if _, err := tx.Exec(`INSERT INTO deliveries (id, event_id, correlation_id, bus, rule, target_id, target_arn, event_seq, input, received_ms, max_retries, max_age_s, dlq_arn) VALUES `+placeholders(nd, 13), args...); err != nil {
				return fmt.Errorf("insert %d deliveries: %w", nd, err)
			}
		}
		if na > 0 {
			if _, err := tx.Exec(`INSERT INTO archive_events (archive, time_ms, envelope) VALUES `+placeholders(na, 3), archived...); err != nil {
				return fmt.Errorf("archive %d events: %w", na, err)
			}
		}
		return nil
	})
}

func (b *Bus) dispatchAccepted(batch []*accepted) {
	for _, a := range batch {
		if b.tail.active() {
			targets := make([]string, 0, len(a.deliveries))
			for _, d := range a.deliveries {
				targets = append(targets, d.targetARN)
			}
			b.tail.publish(TailEntry{Kind: "event", Time: b.now(), Bus: a.bus.name, EventID: a.id, CorrelationID: a.corrID,
				Source: a.source, DetailType: a.detailType, ReplayName: a.replay, Rules: a.rules, Targets: targets, Archives: a.archives})
		}
		b.outstanding.Add(int64(len(a.deliveries)))
		for _, d := range a.deliveries {
			b.work.push(d)
		}
	}
}
