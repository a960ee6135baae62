package eventbridge

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge/groupcommit"
	"github.com/alchemiser/alchemiser/pkg/eventpattern"
)

// CreateArchiveInput is the input of CreateArchive.
type CreateArchiveInput struct {
	ArchiveName    string `json:"ArchiveName"`
	EventSourceArn string `json:"EventSourceArn"`
	Description    string `json:"Description,omitempty"`
	EventPattern   string `json:"EventPattern,omitempty"`
	RetentionDays  int    `json:"RetentionDays,omitempty"`
}

var archiveNameRE = regexp48()

func regexp48() func(string) bool {
	return func(s string) bool {
		if len(s) == 0 || len(s) > 48 {
			return false
		}
		return nameRE.MatchString(s)
	}
}

// CreateArchive creates an archive of a bus's events.
func (b *Bus) CreateArchive(ctx context.Context, in CreateArchiveInput) (Archive, error) {
	if !archiveNameRE(in.ArchiveName) {
		return Archive{}, validationErr("1 validation error detected: Value '%s' at 'archiveName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.ArchiveName)
	}
	if in.RetentionDays < 0 {
		return Archive{}, validationErr("RetentionDays must be 0 or more.")
	}
	var pattern *eventpattern.Pattern
	if in.EventPattern != "" {
		if err := compilePattern(in.EventPattern); err != nil {
			return Archive{}, err
		}
		pattern, _ = eventpattern.Compile([]byte(in.EventPattern))
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !strings.Contains(in.EventSourceArn, ":event-bus/") {
		return Archive{}, validationErr("Parameter EventSourceArn is not valid. Reason: Provided Arn is not in correct format.")
	}
	bs, err := b.bus(in.EventSourceArn)
	if err != nil {
		return Archive{}, err
	}
	if _, ok := b.archives[in.ArchiveName]; ok {
		return Archive{}, existsErr("Archive %s already exists.", in.ArchiveName)
	}
	now := b.now()
	a := &archiveState{Archive: Archive{ArchiveName: in.ArchiveName, ArchiveArn: b.ArchiveARN(in.ArchiveName), EventSourceArn: b.BusARN(bs.name),
		Description: in.Description, EventPattern: in.EventPattern, State: "ENABLED", RetentionDays: in.RetentionDays}, bus: bs.name, created: now, pattern: pattern}
	if err := b.wr.Do(ctx, func(tx *groupcommit.Tx) error {
		_, err := tx.Exec(`INSERT INTO archives (name, bus, pattern, description, retention_days, state, created_ms) VALUES (?,?,?,?,?,?,?)`,
			a.ArchiveName, a.bus, a.EventPattern, a.Description, a.RetentionDays, a.State, now.UnixMilli())
		return err
	}); err != nil {
		return Archive{}, internalErr(fmt.Errorf("store archive %s: %w", in.ArchiveName, err))
	}
	b.archives[a.ArchiveName] = a
	bs.archives = append(slices.Clone(bs.archives), a)
	out := a.Archive
	out.CreationTime = epochPtr(now)
	return out, nil
}

// DescribeArchive describes an archive with its event count and size.
func (b *Bus) DescribeArchive(ctx context.Context, name string) (Archive, error) {
	b.mu.RLock()
	a := b.archives[name]
	b.mu.RUnlock()
	if a == nil {
		return Archive{}, notFoundErr("Archive %s does not exist.", name)
	}
	return b.describeArchive(ctx, a)
}

func (b *Bus) describeArchive(ctx context.Context, a *archiveState) (Archive, error) {
	out := a.Archive
	out.CreationTime = epochPtr(a.created)
	if err := b.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(LENGTH(envelope)), 0) FROM archive_events WHERE archive = ?`, a.ArchiveName).Scan(&out.EventCount, &out.SizeBytes); err != nil {
		return Archive{}, internalErr(fmt.Errorf("count archive %s: %w", a.ArchiveName, err))
	}
	return out, nil
}

// ListArchives lists archives, optionally by name prefix and source bus ARN, sorted by name.
func (b *Bus) ListArchives(ctx context.Context, prefix, sourceARN string) ([]Archive, error) {
	b.mu.RLock()
	var list []*archiveState
	for _, a := range b.archives {
		if strings.HasPrefix(a.ArchiveName, prefix) && (sourceARN == "" || a.EventSourceArn == sourceARN) {
			list = append(list, a)
		}
	}
	b.mu.RUnlock()
	out := []Archive{}
	for _, a := range list {
		d, err := b.describeArchive(ctx, a)
		if err != nil {
			return nil, err
		}
		d.EventPattern, d.Description, d.ArchiveArn = "", "", ""
		out = append(out, d)
	}
	slices.SortFunc(out, func(x, y Archive) int { return strings.Compare(x.ArchiveName, y.ArchiveName) })
	return out, nil
}

// DeleteArchive deletes an archive and its events.
func (b *Bus) DeleteArchive(ctx context.Context, name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	a := b.archives[name]
	if a == nil {
		return notFoundErr("Archive %s does not exist.", name)
	}
	if err := b.wr.Do(ctx, func(tx *groupcommit.Tx) error {
		if _, err := tx.Exec(`DELETE FROM archives WHERE name = ?`, name); err != nil {
			return err
		}
		_, err := tx.Exec(`DELETE FROM archive_events WHERE archive = ?`, name)
		return err
	}); err != nil {
		return internalErr(fmt.Errorf("delete archive %s: %w", name, err))
	}
	delete(b.archives, name)
	if bs := b.buses[a.bus]; bs != nil {
		bs.archives = slices.DeleteFunc(slices.Clone(bs.archives), func(x *archiveState) bool { return x == a })
	}
	return nil
}

// PurgeExpired deletes archived events older than their archive's retention.
func (b *Bus) PurgeExpired(ctx context.Context) error {
	b.mu.RLock()
	type cut struct {
		name string
		ms   int64
	}
	var cuts []cut
	for _, a := range b.archives {
		if a.RetentionDays > 0 {
			cuts = append(cuts, cut{a.ArchiveName, b.now().Add(-time.Duration(a.RetentionDays) * 24 * time.Hour).UnixMilli()})
		}
	}
	b.mu.RUnlock()
	return b.wr.Do(ctx, func(tx *groupcommit.Tx) error {
		for _, c := range cuts {
			if _, err := tx.Exec(`DELETE FROM archive_events WHERE archive = ? AND time_ms < ?`, c.name, c.ms); err != nil {
				return fmt.Errorf("purge archive %s: %w", c.name, err)
			}
		}
		return nil
	})
}

// StartReplay starts replaying an archive's events of [EventStartTime, EventEndTime) to a bus.
func (b *Bus) StartReplay(ctx context.Context, in StartReplayInput) (Replay, error) {
	if !archiveNameRE(in.ReplayName) {
		return Replay{}, validationErr("1 validation error detected: Value '%s' at 'replayName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.ReplayName)
	}
	if in.EventStartTime == nil || in.EventEndTime == nil {
		return Replay{}, validationErr("EventStartTime and EventEndTime are required.")
	}
	start, end := time.Time(*in.EventStartTime), time.Time(*in.EventEndTime)
	if !start.Before(end) {
		return Replay{}, validationErr("Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.")
	}
	if end.After(b.now()) {
		return Replay{}, validationErr("Parameter EventEndTime is not valid. Reason: EventEndTime must not be in the future.")
	}
	archive := lastSegment(in.EventSourceArn, ":archive/")
	b.mu.Lock()
	a := b.archives[archive]
	if a == nil {
		b.mu.Unlock()
		return Replay{}, notFoundErr("Archive %s does not exist.", archive)
	}
	dest := busName(in.Destination.Arn)
	if in.Destination.Arn == "" {
		dest = a.bus
	}
	if dest != a.bus {
		b.mu.Unlock()
		return Replay{}, validationErr("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.")
	}
	for _, f := range in.Destination.FilterArns {
		if _, ok := b.buses[dest].rules[ruleNameOf(f)]; !ok {
			b.mu.Unlock()
			return Replay{}, notFoundErr("Rule %s does not exist on EventBus %s.", ruleNameOf(f), dest)
		}
	}
	b.mu.Unlock()
	var exists int
	if err := b.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM replays WHERE name = ?`, in.ReplayName).Scan(&exists); err != nil {
		return Replay{}, internalErr(fmt.Errorf("look up replay %s: %w", in.ReplayName, err))
	}
	if exists > 0 {
		return Replay{}, existsErr("Replay %s already exists.", in.ReplayName)
	}
	now := b.now()
	filters, _ := json.Marshal(in.Destination.FilterArns)
	if err := b.wr.Do(ctx, func(tx *groupcommit.Tx) error {
		_, err := tx.Exec(`INSERT INTO replays (name, archive, bus, filter_arns, description, start_ms, end_ms, state, created_ms, began_ms) VALUES (?,?,?,?,?,?,?,?,?,?)`,
			in.ReplayName, archive, dest, string(filters), in.Description, start.UnixMilli(), end.UnixMilli(), ReplayStarting, now.UnixMilli(), now.UnixMilli())
		return err
	}); err != nil {
		return Replay{}, internalErr(fmt.Errorf("store replay %s: %w", in.ReplayName, err))
	}
	rctx, cancel := context.WithCancel(b.ctx)
	b.mu.Lock()
	b.replays[in.ReplayName] = cancel
	b.mu.Unlock()
	b.timers.Add(1)
	go func() {
		defer b.timers.Done()
		b.runReplay(rctx, in.ReplayName, archive, dest, in.Destination.FilterArns, start, end)
	}()
	return Replay{ReplayName: in.ReplayName, ReplayArn: b.ReplayARN(in.ReplayName), State: ReplayStarting, ReplayStartTime: epochPtr(now)}, nil
}

func ruleNameOf(arn string) string { return lastSegment(arn, "/") }

func (b *Bus) setReplayState(name, state, reason string, last time.Time) {
	finished := int64(0)
	if state == ReplayCompleted || state == ReplayCancelled || state == ReplayFailed {
		finished = b.now().UnixMilli()
	}
	err := b.wr.Do(context.Background(), func(tx *groupcommit.Tx) error {
		_, err := tx.Exec(`UPDATE replays SET state = ?, reason = ?, finished_ms = CASE WHEN ? > 0 THEN ? ELSE finished_ms END, last_ms = CASE WHEN ? > 0 THEN ? ELSE last_ms END WHERE name = ?`,
			state, reason, finished, finished, last.UnixMilli(), last.UnixMilli(), name)
		return err
	})
	if err != nil {
		b.logWriteErr(fmt.Errorf("update replay %s: %w", name, err))
	}
}

func (b *Bus) runReplay(ctx context.Context, name, archive, dest string, filterARNs []string, start, end time.Time) {
	defer func() {
		b.mu.Lock()
		delete(b.replays, name)
		b.mu.Unlock()
	}()
	b.setReplayState(name, ReplayRunning, "", time.Time{})
	var only map[string]bool
	if len(filterARNs) > 0 {
		only = map[string]bool{}
		for _, f := range filterARNs {
			only[ruleNameOf(f)] = true
		}
	}
	var last time.Time
	seq := int64(0)
	for {
		if ctx.Err() != nil {
			state, reason := ReplayCancelled, ""
			if b.ctx.Err() != nil {
				state, reason = ReplayFailed, "the bus stopped during the replay"
			}
			b.setReplayState(name, state, reason, last)
			return
		}
		type row struct {
			seq int64
			ms  int64
			raw []byte
		}
		var page []row
		rows, err := b.db.QueryContext(ctx, `SELECT seq, time_ms, envelope FROM archive_events WHERE archive = ? AND time_ms >= ? AND time_ms < ? AND seq > ? ORDER BY seq LIMIT 100`,
			archive, start.UnixMilli(), end.UnixMilli(), seq)
		if err != nil {
			if ctx.Err() != nil {
				continue
			}
			b.setReplayState(name, ReplayFailed, "reading the archive failed: "+err.Error(), last)
			return
		}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.seq, &r.ms, &r.raw); err != nil {
				break
			}
			page = append(page, r)
		}
		rows.Close()
		if len(page) == 0 {
			b.setReplayState(name, ReplayCompleted, "", last)
			return
		}
		for _, r := range page {
			seq = r.seq
			if err := b.replayOne(ctx, name, dest, only, r.raw); err != nil {
				if ctx.Err() != nil {
					break
				}
				b.setReplayState(name, ReplayFailed, "replaying an event failed: "+err.Error(), last)
				return
			}
			last = time.UnixMilli(r.ms)
		}
	}
}

// replayOne re-ingests one archived event with replay-name set.
func (b *Bus) replayOne(ctx context.Context, replay, dest string, only map[string]bool, raw []byte) error {
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("decode archived event: %w", err)
	}
	env.ReplayName = replay
	out, err := json.Marshal(env)
	if err != nil {
		return fmt.Errorf("encode replayed event: %w", err)
	}
	at, _ := time.Parse(time.RFC3339, env.Time)
	now := b.now()
	b.mu.RLock()
	bs := b.buses[dest]
	if bs == nil {
		b.mu.RUnlock()
		return fmt.Errorf("bus %s does not exist", dest)
	}
	a := &accepted{bus: bs, id: env.ID, time: at, corrID: correlationOf(env.Detail), source: env.Source, detailType: env.DetailType, raw: out, replay: replay, onlyRules: only}
	if only == nil {
		a.onlyRules = nil
	}
	err = b.route(a, now)
	b.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("route replayed event: %w", err)
	}
	if err := b.store(ctx, []*accepted{a}, now); err != nil {
		return err
	}
	b.dispatchAccepted([]*accepted{a})
	return nil
}

// DescribeReplay describes a replay.
func (b *Bus) DescribeReplay(ctx context.Context, name string) (Replay, error) {
	rs, err := b.queryReplays(ctx, `WHERE name = ?`, name)
	if err != nil {
		return Replay{}, err
	}
	if len(rs) == 0 {
		return Replay{}, notFoundErr("Replay %s does not exist.", name)
	}
	return rs[0], nil
}

// ListReplays lists replays, optionally by name prefix, state and archive ARN.
func (b *Bus) ListReplays(ctx context.Context, prefix, state, archiveARN string) ([]Replay, error) {
	rs, err := b.queryReplays(ctx, `ORDER BY name`)
	if err != nil {
		return nil, err
	}
	out := []Replay{}
	for _, r := range rs {
		if strings.HasPrefix(r.ReplayName, prefix) && (state == "" || r.State == state) && (archiveARN == "" || r.EventSourceArn == archiveARN) {
			r.ReplayArn, r.Description, r.Destination = "", "", nil
			out = append(out, r)
		}
	}
	return out, nil
}

func (b *Bus) queryReplays(ctx context.Context, where string, args ...any) ([]Replay, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT name, archive, bus, filter_arns, description, start_ms, end_ms, state, reason, began_ms, finished_ms, last_ms FROM replays `+where, args...)
	if err != nil {
		return nil, internalErr(fmt.Errorf("read replays: %w", err))
	}
	defer rows.Close()
	var out []Replay
	for rows.Next() {
		var r Replay
		var archive, bus, filters string
		var start, end, began, finished, last int64
		if err := rows.Scan(&r.ReplayName, &archive, &bus, &filters, &r.Description, &start, &end, &r.State, &r.StateReason, &began, &finished, &last); err != nil {
			return nil, internalErr(fmt.Errorf("read replays: %w", err))
		}
		r.ReplayArn = b.ReplayARN(r.ReplayName)
		r.EventSourceArn = b.ArchiveARN(archive)
		r.Destination = &ReplayDestination{Arn: b.BusARN(bus)}
		_ = json.Unmarshal([]byte(filters), &r.Destination.FilterArns)
		r.EventStartTime, r.EventEndTime = epochPtr(time.UnixMilli(start)), epochPtr(time.UnixMilli(end))
		if began > 0 {
			r.ReplayStartTime = epochPtr(time.UnixMilli(began))
		}
		if finished > 0 {
			r.ReplayEndTime = epochPtr(time.UnixMilli(finished))
		}
		if last > 0 {
			r.EventLastReplayedTime = epochPtr(time.UnixMilli(last))
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CancelReplay cancels a running replay.
func (b *Bus) CancelReplay(ctx context.Context, name string) (Replay, error) {
	r, err := b.DescribeReplay(ctx, name)
	if err != nil {
		return Replay{}, err
	}
	b.mu.Lock()
	cancel := b.replays[name]
	b.mu.Unlock()
	if cancel == nil || (r.State != ReplayStarting && r.State != ReplayRunning) {
		return Replay{}, &APIError{Status: 400, Type: "IllegalStatusException", Message: fmt.Sprintf("Replay %s is not in a state that can be cancelled.", name)}
	}
	b.setReplayState(name, ReplayCancelling, "", time.Time{})
	cancel()
	return Replay{ReplayArn: b.ReplayARN(name), State: ReplayCancelling}, nil
}

// WaitReplay polls until the replay reaches a final state or ctx ends.
func (b *Bus) WaitReplay(ctx context.Context, name string) (Replay, error) {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		r, err := b.DescribeReplay(ctx, name)
		if err != nil {
			return Replay{}, err
		}
		switch r.State {
		case ReplayCompleted, ReplayCancelled, ReplayFailed:
			return r, nil
		}
		select {
		case <-ctx.Done():
			return r, ctx.Err()
		case <-t.C:
		}
	}
}
