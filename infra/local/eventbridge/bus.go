package eventbridge

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/eventbridge/groupcommit"
	"github.com/alchemiser/alchemiser/pkg/eventpattern"
)

// Bus is the local EventBridge: its state, its delivery engine and (through Handler) its API.
type Bus struct {
	cfg Config
	db  *sql.DB
	wr  *groupcommit.Committer
	log *slog.Logger

	mu       sync.RWMutex
	buses    map[string]*busState
	archives map[string]*archiveState
	queues   map[string]*queueState
	replays  map[string]context.CancelFunc

	nextDelivery atomic.Int64
	outstanding  atomic.Int64
	doneMu       sync.Mutex
	doneBuf      []completion
	work         *workQueue
	rngMu        sync.Mutex
	rng          *rand.Rand

	tail tailHub

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	timers sync.WaitGroup
}

type busState struct {
	name        string
	description string
	created     time.Time
	matcher     *eventpattern.Matcher
	rules       map[string]*ruleState
	archives    []*archiveState
}

type ruleState struct {
	Rule
	created time.Time
	targets map[string]Target
}

type archiveState struct {
	Archive
	bus     string
	created time.Time
	pattern *eventpattern.Pattern
}

type queueState struct {
	name    string
	created time.Time
	attrs   map[string]string
}

// Open opens (or creates) the bus's state at cfg.Path and starts delivering what was pending.
// Call Close to stop it.
func Open(ctx context.Context, cfg Config) (*Bus, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	db, err := openDB(cfg.Path)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db); err != nil {
		_ = db.Close()
		return nil, err
	}
	wr, err := groupcommit.New(ctx, db, 0)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	bctx, cancel := context.WithCancel(context.Background())
	b := &Bus{
		cfg: cfg, db: db, wr: wr, log: cfg.Logger,
		buses: map[string]*busState{}, archives: map[string]*archiveState{}, queues: map[string]*queueState{},
		replays: map[string]context.CancelFunc{},
		work:    newWorkQueue(),
		rng:     rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		ctx:     bctx, cancel: cancel,
	}
	if err := b.load(ctx); err != nil {
		b.cancel()
		_ = wr.Close()
		_ = db.Close()
		return nil, err
	}
	for range cfg.Workers {
		b.wg.Add(1)
		go b.worker()
	}
	if err := b.resume(ctx); err != nil {
		_ = b.Close()
		return nil, err
	}
	b.timers.Add(1)
	go b.purgeLoop()
	return b, nil
}

// Close stops delivery and replays, commits what is queued and closes the database. Deliveries
// not yet done stay in the database and resume on the next Open.
func (b *Bus) Close() error {
	b.cancel()
	b.work.close()
	b.wg.Wait()
	b.timers.Wait()
	b.tail.closeAll()
	werr := b.wr.Close()
	return errors.Join(werr, b.db.Close())
}

// Region returns the bus's region.
func (b *Bus) Region() string { return b.cfg.Region }

// Account returns the bus's account ID.
func (b *Bus) Account() string { return b.cfg.Account }

// DB returns the bus's database, for read-only inspection.
func (b *Bus) DB() *sql.DB { return b.db }

func (b *Bus) now() time.Time { return b.cfg.Now().UTC() }

// ARNs.

// BusARN returns the ARN of the bus called name.
func (b *Bus) BusARN(name string) string {
	return fmt.Sprintf("arn:aws:events:%s:%s:event-bus/%s", b.cfg.Region, b.cfg.Account, name)
}

// RuleARN returns the ARN of rule on bus.
func (b *Bus) RuleARN(bus, rule string) string {
	if bus == DefaultBusName {
		return fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", b.cfg.Region, b.cfg.Account, rule)
	}
	return fmt.Sprintf("arn:aws:events:%s:%s:rule/%s/%s", b.cfg.Region, b.cfg.Account, bus, rule)
}

// ArchiveARN returns the ARN of the archive called name.
func (b *Bus) ArchiveARN(name string) string {
	return fmt.Sprintf("arn:aws:events:%s:%s:archive/%s", b.cfg.Region, b.cfg.Account, name)
}

// ReplayARN returns the ARN of the replay called name.
func (b *Bus) ReplayARN(name string) string {
	return fmt.Sprintf("arn:aws:events:%s:%s:replay/%s", b.cfg.Region, b.cfg.Account, name)
}

// QueueARN returns the ARN of the local queue called name.
func (b *Bus) QueueARN(name string) string {
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", b.cfg.Region, b.cfg.Account, name)
}

// FunctionARN returns the ARN of the Lambda function called name in the bus's region and account.
func (b *Bus) FunctionARN(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", b.cfg.Region, b.cfg.Account, name)
}

// busName accepts a bus name or ARN ("" is the default bus).
func busName(nameOrARN string) string {
	if nameOrARN == "" {
		return DefaultBusName
	}
	if strings.HasPrefix(nameOrARN, "arn:") {
		if i := strings.Index(nameOrARN, ":event-bus/"); i >= 0 {
			return nameOrARN[i+len(":event-bus/"):]
		}
	}
	return nameOrARN
}

// lastSegment returns what follows the last sep in s.
func lastSegment(s, sep string) string {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[i+len(sep):]
	}
	return s
}

var nameRE = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)
var busNameRE = regexp.MustCompile(`^[/\.\-_A-Za-z0-9]{1,256}$`)

func (b *Bus) load(ctx context.Context) error {
	now := b.now().UnixMilli()
	if _, err := b.db.ExecContext(ctx, `INSERT OR IGNORE INTO buses (name, created_ms) VALUES (?, ?)`, DefaultBusName, now); err != nil {
		return fmt.Errorf("create default bus: %w", err)
	}
	rows, err := b.db.QueryContext(ctx, `SELECT name, description, created_ms FROM buses`)
	if err != nil {
		return fmt.Errorf("load buses: %w", err)
	}
	for rows.Next() {
		var name, desc string
		var ms int64
		if err := rows.Scan(&name, &desc, &ms); err != nil {
			rows.Close()
			return fmt.Errorf("load buses: %w", err)
		}
		b.buses[name] = newBusState(name, desc, time.UnixMilli(ms))
	}
	rows.Close()

	rows, err = b.db.QueryContext(ctx, `SELECT bus, name, pattern, schedule, state, description, role_arn, managed_by, created_ms FROM rules`)
	if err != nil {
		return fmt.Errorf("load rules: %w", err)
	}
	for rows.Next() {
		r := &ruleState{targets: map[string]Target{}}
		var ms int64
		if err := rows.Scan(&r.EventBusName, &r.Name, &r.EventPattern, &r.ScheduleExpression, &r.State, &r.Description, &r.RoleArn, &r.ManagedBy, &ms); err != nil {
			rows.Close()
			return fmt.Errorf("load rules: %w", err)
		}
		r.created = time.UnixMilli(ms)
		r.Arn = b.RuleARN(r.EventBusName, r.Name)
		bs := b.buses[r.EventBusName]
		if bs == nil {
			continue
		}
		bs.rules[r.Name] = r
		if r.enabled() && r.EventPattern != "" {
			if err := bs.matcher.Add(r.Name, []byte(r.EventPattern)); err != nil {
				b.log.Warn("stored rule has an invalid pattern", "bus", r.EventBusName, "rule", r.Name, "error", err)
			}
		}
	}
	rows.Close()

	rows, err = b.db.QueryContext(ctx, `SELECT bus, rule, id, spec FROM targets`)
	if err != nil {
		return fmt.Errorf("load targets: %w", err)
	}
	for rows.Next() {
		var bus, rule, id, spec string
		if err := rows.Scan(&bus, &rule, &id, &spec); err != nil {
			rows.Close()
			return fmt.Errorf("load targets: %w", err)
		}
		var t Target
		if err := json.Unmarshal([]byte(spec), &t); err != nil {
			rows.Close()
			return fmt.Errorf("load target %s of rule %s: %w", id, rule, err)
		}
		if bs := b.buses[bus]; bs != nil {
			if r := bs.rules[rule]; r != nil {
				r.targets[id] = t
			}
		}
	}
	rows.Close()

	rows, err = b.db.QueryContext(ctx, `SELECT name, bus, pattern, description, retention_days, state, created_ms FROM archives`)
	if err != nil {
		return fmt.Errorf("load archives: %w", err)
	}
	for rows.Next() {
		a := &archiveState{}
		var ms int64
		if err := rows.Scan(&a.ArchiveName, &a.bus, &a.EventPattern, &a.Description, &a.RetentionDays, &a.State, &ms); err != nil {
			rows.Close()
			return fmt.Errorf("load archives: %w", err)
		}
		a.created = time.UnixMilli(ms)
		a.ArchiveArn = b.ArchiveARN(a.ArchiveName)
		a.EventSourceArn = b.BusARN(a.bus)
		if a.EventPattern != "" {
			p, err := eventpattern.Compile([]byte(a.EventPattern))
			if err != nil {
				b.log.Warn("stored archive has an invalid pattern", "archive", a.ArchiveName, "error", err)
				continue
			}
			a.pattern = p
		}
		b.archives[a.ArchiveName] = a
		if bs := b.buses[a.bus]; bs != nil {
			bs.archives = append(bs.archives, a)
		}
	}
	rows.Close()

	rows, err = b.db.QueryContext(ctx, `SELECT name, attributes, created_ms FROM queues`)
	if err != nil {
		return fmt.Errorf("load queues: %w", err)
	}
	for rows.Next() {
		q := &queueState{attrs: map[string]string{}}
		var attrs string
		var ms int64
		if err := rows.Scan(&q.name, &attrs, &ms); err != nil {
			rows.Close()
			return fmt.Errorf("load queues: %w", err)
		}
		_ = json.Unmarshal([]byte(attrs), &q.attrs)
		q.created = time.UnixMilli(ms)
		b.queues[q.name] = q
	}
	rows.Close()

	var maxID sql.NullInt64
	if err := b.db.QueryRowContext(ctx, `SELECT MAX(id) FROM deliveries`).Scan(&maxID); err != nil {
		return fmt.Errorf("load deliveries: %w", err)
	}
	b.nextDelivery.Store(max(maxID.Int64, b.now().UnixMicro()))
	return nil
}

func newBusState(name, desc string, created time.Time) *busState {
	return &busState{name: name, description: desc, created: created, matcher: eventpattern.NewMatcher(), rules: map[string]*ruleState{}}
}

func (r *ruleState) enabled() bool { return r.State != "DISABLED" }

// resume re-queues every pending delivery and fails replays cut short by a crash.
func (b *Bus) resume(ctx context.Context) error {
	rows, err := b.db.QueryContext(ctx, `SELECT d.id, d.event_id, d.correlation_id, d.bus, d.rule, d.target_id, d.target_arn,
		CASE WHEN length(d.input) = 0 THEN COALESCE(e.envelope, '') ELSE d.input END,
		d.received_ms, d.attempts, d.next_ms, d.max_retries, d.max_age_s, d.dlq_arn, d.last_code, d.last_message
		FROM deliveries d LEFT JOIN events e ON e.seq = d.event_seq ORDER BY d.id`)
	if err != nil {
		return fmt.Errorf("load pending deliveries: %w", err)
	}
	var pending []*delivery
	for rows.Next() {
		d := &delivery{}
		var recv, next int64
		if err := rows.Scan(&d.id, &d.eventID, &d.corrID, &d.bus, &d.rule, &d.targetID, &d.targetARN, &d.input, &recv, &d.attempts, &next, &d.maxRetries, &d.maxAgeS, &d.dlqARN, &d.lastCode, &d.lastMsg); err != nil {
			rows.Close()
			return fmt.Errorf("load pending deliveries: %w", err)
		}
		d.received = time.UnixMilli(recv)
		d.next = time.UnixMilli(next)
		pending = append(pending, d)
	}
	rows.Close()
	if len(pending) > 0 {
		b.log.Info("resuming pending deliveries", "count", len(pending))
	}
	now := b.now()
	b.outstanding.Add(int64(len(pending)))
	for _, d := range pending {
		if wait := d.next.Sub(now); wait > 0 {
			b.after(wait, d)
		} else {
			b.work.push(d)
		}
	}
	if _, err := b.db.ExecContext(ctx, `UPDATE replays SET state = ?, reason = 'the bus stopped during the replay', finished_ms = ? WHERE state IN (?, ?, ?)`,
		ReplayFailed, now.UnixMilli(), ReplayStarting, ReplayRunning, ReplayCancelling); err != nil {
		return fmt.Errorf("fail interrupted replays: %w", err)
	}
	return nil
}

func (b *Bus) bus(name string) (*busState, error) {
	bs := b.buses[busName(name)]
	if bs == nil {
		return nil, notFoundErr("Event bus %s does not exist.", busName(name))
	}
	return bs, nil
}

// Event buses.

// CreateEventBus creates a custom bus and returns its ARN.
func (b *Bus) CreateEventBus(ctx context.Context, name, description string) (string, error) {
	if !busNameRE.MatchString(name) || strings.HasPrefix(name, "aws.") {
		return "", validationErr("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+", name)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.buses[name]; ok {
		return "", existsErr("Event bus %s already exists.", name)
	}
	now := b.now()
	if err := b.wr.Do(ctx, func(tx *groupcommit.Tx) error {
		_, err := tx.Exec(`INSERT INTO buses (name, description, created_ms) VALUES (?, ?, ?)`, name, description, now.UnixMilli())
		return err
	}); err != nil {
		return "", internalErr(fmt.Errorf("store bus %s: %w", name, err))
	}
	b.buses[name] = newBusState(name, description, now)
	return b.BusARN(name), nil
}

// DescribeEventBus describes a bus.
func (b *Bus) DescribeEventBus(name string) (EventBus, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	bs, err := b.bus(name)
	if err != nil {
		return EventBus{}, err
	}
	return b.describeBus(bs), nil
}

func (b *Bus) describeBus(bs *busState) EventBus {
	return EventBus{Name: bs.name, Arn: b.BusARN(bs.name), Description: bs.description, CreationTime: epochPtr(bs.created), LastModifiedTime: epochPtr(bs.created)}
}

// ListEventBuses lists the buses whose names start with prefix, sorted by name.
func (b *Bus) ListEventBuses(prefix string) []EventBus {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var out []EventBus
	for _, bs := range b.buses {
		if strings.HasPrefix(bs.name, prefix) {
			out = append(out, b.describeBus(bs))
		}
	}
	slices.SortFunc(out, func(x, y EventBus) int { return strings.Compare(x.Name, y.Name) })
	return out
}

// DeleteEventBus deletes a custom bus with its rules and targets.
func (b *Bus) DeleteEventBus(ctx context.Context, name string) error {
	name = busName(name)
	if name == DefaultBusName {
		return validationErr("Cannot delete event bus default.")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.buses[name]; !ok {
		return nil // AWS: deleting a missing bus succeeds
	}
	if err := b.wr.Do(ctx, func(tx *groupcommit.Tx) error {
		for _, q := range []string{`DELETE FROM buses WHERE name = ?`, `DELETE FROM rules WHERE bus = ?`, `DELETE FROM targets WHERE bus = ?`} {
			if _, err := tx.Exec(q, name); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return internalErr(fmt.Errorf("delete bus %s: %w", name, err))
	}
	delete(b.buses, name)
	return nil
}

// Rules.

func compilePattern(p string) error {
	if _, err := eventpattern.Compile([]byte(p)); err != nil {
		var pe *eventpattern.PatternError
		if errors.As(err, &pe) {
			return patternErr(pe.Error())
		}
		return patternErr("Event pattern is not valid. Reason: " + err.Error())
	}
	return nil
}

// PutRule creates or updates a rule and returns its ARN.
func (b *Bus) PutRule(ctx context.Context, in PutRuleInput) (string, error) {
	if !nameRE.MatchString(in.Name) {
		return "", validationErr("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", in.Name)
	}
	if in.EventPattern == "" && in.ScheduleExpression == "" {
		return "", validationErr("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	if in.EventPattern != "" {
		if err := compilePattern(in.EventPattern); err != nil {
			return "", err
		}
	}
	switch in.State {
	case "":
		in.State = "ENABLED"
	case "ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS":
	default:
		return "", validationErr("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]", in.State)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bs, err := b.bus(in.EventBusName)
	if err != nil {
		return "", err
	}
	r := bs.rules[in.Name]
	now := b.now()
	if r == nil {
		r = &ruleState{created: now, targets: map[string]Target{}}
	}
	nr := *r
	nr.Rule = Rule{Name: in.Name, Arn: b.RuleARN(bs.name, in.Name), EventPattern: in.EventPattern, ScheduleExpression: in.ScheduleExpression,
		State: in.State, Description: in.Description, RoleArn: in.RoleArn, EventBusName: bs.name, ManagedBy: r.ManagedBy}
	if err := b.wr.Do(ctx, func(tx *groupcommit.Tx) error {
		_, err := tx.Exec(`INSERT OR REPLACE INTO rules (bus, name, pattern, schedule, state, description, role_arn, managed_by, created_ms) VALUES (?,?,?,?,?,?,?,?,?)`,
			bs.name, nr.Name, nr.EventPattern, nr.ScheduleExpression, nr.State, nr.Description, nr.RoleArn, nr.ManagedBy, nr.created.UnixMilli())
		return err
	}); err != nil {
		return "", internalErr(fmt.Errorf("store rule %s: %w", in.Name, err))
	}
	bs.rules[in.Name] = &nr
	b.syncMatcher(bs, &nr)
	return nr.Arn, nil
}

func (b *Bus) syncMatcher(bs *busState, r *ruleState) {
	if r.enabled() && r.EventPattern != "" {
		if err := bs.matcher.Add(r.Name, []byte(r.EventPattern)); err != nil {
			b.log.Warn("rule pattern did not compile", "rule", r.Name, "error", err)
		}
		return
	}
	bs.matcher.Remove(r.Name)
}

func (b *Bus) rule(busNameOrARN, name string) (*busState, *ruleState, error) {
	bs, err := b.bus(busNameOrARN)
	if err != nil {
		return nil, nil, err
	}
	r := bs.rules[name]
	if r == nil {
		return nil, nil, notFoundErr("Rule %s does not exist on EventBus %s.", name, bs.name)
	}
	return bs, r, nil
}

// DescribeRule describes a rule.
func (b *Bus) DescribeRule(bus, name string) (Rule, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	_, r, err := b.rule(bus, name)
	if err != nil {
		return Rule{}, err
	}
	return r.Rule, nil
}

// ListRules lists a bus's rules whose names start with prefix, sorted by name.
func (b *Bus) ListRules(bus, prefix string) ([]Rule, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	bs, err := b.bus(bus)
	if err != nil {
		return nil, err
	}
	out := []Rule{}
	for _, r := range bs.rules {
		if strings.HasPrefix(r.Name, prefix) {
			out = append(out, r.Rule)
		}
	}
	slices.SortFunc(out, func(x, y Rule) int { return strings.Compare(x.Name, y.Name) })
	return out, nil
}

// DeleteRule deletes a rule that has no targets.
func (b *Bus) DeleteRule(ctx context.Context, bus, name string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	bs, r, err := b.rule(bus, name)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Type == "ResourceNotFoundException" && bs == nil {
			return err
		}
		return nil // AWS: deleting a missing rule succeeds
	}
	if len(r.targets) > 0 {
		return validationErr("Rule can't be deleted since it has targets.")
	}
	if err := b.wr.Do(ctx, func(tx *groupcommit.Tx) error {
		_, err := tx.Exec(`DELETE FROM rules WHERE bus = ? AND name = ?`, bs.name, name)
		return err
	}); err != nil {
		return internalErr(fmt.Errorf("delete rule %s: %w", name, err))
	}
	delete(bs.rules, name)
	bs.matcher.Remove(name)
	return nil
}

// SetRuleState enables or disables a rule.
func (b *Bus) SetRuleState(ctx context.Context, bus, name string, enabled bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	bs, r, err := b.rule(bus, name)
	if err != nil {
		return err
	}
	state := "DISABLED"
	if enabled {
		state = "ENABLED"
	}
	if err := b.wr.Do(ctx, func(tx *groupcommit.Tx) error {
		_, err := tx.Exec(`UPDATE rules SET state = ? WHERE bus = ? AND name = ?`, state, bs.name, name)
		return err
	}); err != nil {
		return internalErr(fmt.Errorf("update rule %s: %w", name, err))
	}
	nr := *r
	nr.State = state
	bs.rules[name] = &nr
	b.syncMatcher(bs, &nr)
	return nil
}

// FailedEntry reports a target that PutTargets or RemoveTargets could not handle.
type FailedEntry struct {
	TargetId     string `json:"TargetId"` //nolint:revive // AWS's field name
	ErrorCode    string `json:"ErrorCode"`
	ErrorMessage string `json:"ErrorMessage"`
}

var targetIDRE = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)

// PutTargets adds or replaces targets of a rule.
func (b *Bus) PutTargets(ctx context.Context, bus, rule string, targets []Target) ([]FailedEntry, error) {
	if len(targets) == 0 || len(targets) > 10 {
		return nil, validationErr("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bs, r, err := b.rule(bus, rule)
	if err != nil {
		return nil, err
	}
	failed := []FailedEntry{}
	var ok []Target
	for _, t := range targets {
		switch {
		case !targetIDRE.MatchString(t.Id):
			failed = append(failed, FailedEntry{TargetId: t.Id, ErrorCode: "ValidationException", ErrorMessage: "Target Id is not valid."})
		case !strings.HasPrefix(t.Arn, "arn:"):
			failed = append(failed, FailedEntry{TargetId: t.Id, ErrorCode: "ValidationException", ErrorMessage: fmt.Sprintf("Parameter %s is not valid. Reason: Provided Arn is not in correct format.", t.Arn)})
		case t.RetryPolicy != nil && t.RetryPolicy.MaximumRetryAttempts != nil && (*t.RetryPolicy.MaximumRetryAttempts < 0 || *t.RetryPolicy.MaximumRetryAttempts > 185):
			failed = append(failed, FailedEntry{TargetId: t.Id, ErrorCode: "ValidationException", ErrorMessage: "MaximumRetryAttempts must be between 0 and 185."})
		case t.RetryPolicy != nil && t.RetryPolicy.MaximumEventAgeInSeconds != nil && (*t.RetryPolicy.MaximumEventAgeInSeconds < 60 || *t.RetryPolicy.MaximumEventAgeInSeconds > 86400):
			failed = append(failed, FailedEntry{TargetId: t.Id, ErrorCode: "ValidationException", ErrorMessage: "MaximumEventAgeInSeconds must be between 60 and 86400."})
		case t.InputPath != "" && t.Input != "":
			failed = append(failed, FailedEntry{TargetId: t.Id, ErrorCode: "ValidationException", ErrorMessage: "Only one of Input, InputPath, or InputTransformer must be provided."})
		default:
			ok = append(ok, t)
		}
	}
	if len(ok) > 0 {
		if err := b.wr.Do(ctx, func(tx *groupcommit.Tx) error {
			for _, t := range ok {
				spec, err := json.Marshal(t)
				if err != nil {
					return err
				}
				if _, err := tx.Exec(`INSERT OR REPLACE INTO targets (bus, rule, id, spec) VALUES (?,?,?,?)`, bs.name, rule, t.Id, string(spec)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return nil, internalErr(fmt.Errorf("store targets of %s: %w", rule, err))
		}
		nr := *r
		nr.targets = maps(r.targets)
		for _, t := range ok {
			nr.targets[t.Id] = t
		}
		bs.rules[rule] = &nr
	}
	return failed, nil
}

func maps(m map[string]Target) map[string]Target {
	out := make(map[string]Target, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// RemoveTargets removes targets from a rule.
func (b *Bus) RemoveTargets(ctx context.Context, bus, rule string, ids []string) ([]FailedEntry, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	bs, r, err := b.rule(bus, rule)
	if err != nil {
		return nil, err
	}
	failed := []FailedEntry{}
	if err := b.wr.Do(ctx, func(tx *groupcommit.Tx) error {
		for _, id := range ids {
			if _, err := tx.Exec(`DELETE FROM targets WHERE bus = ? AND rule = ? AND id = ?`, bs.name, rule, id); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return nil, internalErr(fmt.Errorf("remove targets of %s: %w", rule, err))
	}
	nr := *r
	nr.targets = maps(r.targets)
	for _, id := range ids {
		delete(nr.targets, id)
	}
	bs.rules[rule] = &nr
	return failed, nil
}

// ListTargetsByRule lists a rule's targets, sorted by ID.
func (b *Bus) ListTargetsByRule(bus, rule string) ([]Target, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	_, r, err := b.rule(bus, rule)
	if err != nil {
		return nil, err
	}
	return sortedTargets(r.targets), nil
}

func sortedTargets(m map[string]Target) []Target {
	out := make([]Target, 0, len(m))
	for _, t := range m {
		out = append(out, t)
	}
	slices.SortFunc(out, func(x, y Target) int { return strings.Compare(x.Id, y.Id) })
	return out
}

// Pending returns how many deliveries are outstanding: accepted events not yet delivered to,
// or dead-lettered from, one of their targets (including those waiting to be retried).
func (b *Bus) Pending(context.Context) (int, error) {
	return int(b.outstanding.Load()), nil
}

// purgeLoop applies the archives' retention at start and then hourly.
func (b *Bus) purgeLoop() {
	defer b.timers.Done()
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := b.PurgeExpired(b.ctx); err != nil && b.ctx.Err() == nil {
			b.log.Warn("purge expired archived events", "error", err)
		}
		select {
		case <-b.ctx.Done():
			return
		case <-t.C:
		}
	}
}
