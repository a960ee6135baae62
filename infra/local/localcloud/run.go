package localcloud

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/alchemiser/alchemiser/contracts/routing"
	v1 "github.com/alchemiser/alchemiser/contracts/v1"
	"github.com/alchemiser/alchemiser/infra/local/eventbridge"
	"github.com/alchemiser/alchemiser/infra/local/smtpinbox"
	orchestrator "github.com/alchemiser/alchemiser/services/orchestrator/service"
	"github.com/alchemiser/alchemiser/services/orchestrator/store"
)

// StartCommand is the orchestrator's start command, as the schedule, the CLI or a manual
// `aws lambda invoke` sends it.
type StartCommand struct {
	Mode         string     `json:"mode"`
	Trigger      string     `json:"trigger"`
	ScheduledFor *time.Time `json:"scheduled_for,omitempty"`
	AsOf         string     `json:"as_of,omitempty"`
	Strategies   string     `json:"strategies,omitempty"`
}

// Summary is what a finished workflow did, for people (Render) and machines (JSON).
type Summary struct {
	CorrelationID string    `json:"correlation_id"`
	State         string    `json:"state"`
	Outcome       string    `json:"outcome"`
	Mode          string    `json:"mode"`
	AsOf          string    `json:"as_of"`
	StartedAt     time.Time `json:"started_at"`
	DurationMS    float64   `json:"duration_ms"`
	// EmailMS is the time from the start command to the email accepted by the inbox: the
	// whole cycle as a user sees it.
	EmailMS     float64              `json:"email_ms"`
	Target      []v1.TargetWeight    `json:"target"`
	Strategies  []v1.StrategySignal  `json:"strategies"`
	Plan        *v1.RebalancePlanned `json:"plan,omitempty"`
	Execution   *v1.TradeExecuted    `json:"execution,omitempty"`
	Failure     *v1.Failure          `json:"failure,omitempty"`
	Timeline    []Hop                `json:"timeline"`
	Emails      []smtpinbox.Message  `json:"emails"`
	OrderCheck  OrderCheck           `json:"order_check"`
	DeadLetters int                  `json:"dead_letters"`
	Faults      string               `json:"faults,omitempty"`
}

// Hop is one event of the workflow on the bus.
type Hop struct {
	At         time.Time `json:"at"`
	EventType  string    `json:"event_type"`
	Source     string    `json:"source"`
	EventID    string    `json:"event_id"`
	Rules      []string  `json:"rules"`
	SinceStart float64   `json:"since_start_ms"`
	// HopMS is the time from the causing event to this one: the consumer's work plus two
	// trips over the bus.
	HopMS float64 `json:"hop_ms"`
	// Deliveries counts the delivery attempts of this event to its targets.
	Deliveries int `json:"deliveries"`
}

// OrderCheck compares the simulator's order log with the workflow's orders: every client order
// ID must appear once at most, whatever was retried or duplicated.
type OrderCheck struct {
	OrdersInLog      int      `json:"orders_in_log"`
	UniqueClientIDs  int      `json:"unique_client_order_ids"`
	Duplicates       []string `json:"duplicates"`
	MatchesExecution bool     `json:"matches_execution"`
	OK               bool     `json:"ok"`
}

// Run starts a workflow through the orchestrator, as the schedule does, waits until it is
// terminal, its email is in the inbox and the bus and the Lambda host are idle, then returns
// its summary.
func (c *Cloud) Run(ctx context.Context, cmd StartCommand) (Summary, error) {
	ordersBefore := len(c.Sim.Orders())
	mailBefore := c.Inbox.Stored()
	began := time.Now()
	payload, err := json.Marshal(cmd)
	if err != nil {
		return Summary{}, err
	}
	out, err := c.Host.Invoke(ctx, FunctionName(routing.Orchestrator), payload)
	if err != nil {
		return Summary{}, fmt.Errorf("start workflow: %w", err)
	}
	var started struct {
		CorrelationID string `json:"correlation_id"`
	}
	if err := json.Unmarshal(out, &started); err != nil || started.CorrelationID == "" {
		return Summary{}, fmt.Errorf("start workflow: unexpected answer %s", out)
	}
	st, err := orchestrator.OpenStore(ctx, "sqlite:"+c.WorkflowDB())
	if err != nil {
		return Summary{}, err
	}
	rec, err := waitTerminal(ctx, st, started.CorrelationID)
	if err != nil {
		return Summary{}, err
	}
	if _, err := c.Inbox.WaitFor(ctx, mailBefore+1); err != nil {
		return Summary{}, fmt.Errorf("workflow %s ended (%s) but no email arrived: %w", rec.CorrelationID, rec.State, err)
	}
	emailed := time.Since(began)
	if err := c.WaitIdle(ctx); err != nil {
		return Summary{}, err
	}
	s, err := c.summarize(ctx, rec, ordersBefore, mailBefore)
	s.EmailMS = ms(emailed)
	return s, err
}

// waitTerminal polls the workflow record until it is terminal and its terminal events are
// published, or ctx ends.
func waitTerminal(ctx context.Context, st store.Store, id string) (store.Record, error) {
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		rec, err := st.Get(ctx, id)
		if err == nil && rec.Terminal() && rec.TerminalPublished {
			return rec, nil
		}
		select {
		case <-ctx.Done():
			return rec, fmt.Errorf("workflow %s did not end (last state %q): %w", id, rec.State, ctx.Err())
		case <-tick.C:
		}
	}
}

func (c *Cloud) summarize(ctx context.Context, rec store.Record, ordersBefore, mailBefore int) (Summary, error) {
	s := Summary{
		CorrelationID: rec.CorrelationID, State: rec.State, Outcome: rec.Outcome, AsOf: rec.AsOf,
		StartedAt: rec.StartedAt, Mode: rec.TradingMode, Faults: c.opts.Faults.String(),
	}
	if rec.DryRun {
		s.Mode = "dry run"
	}
	if rec.EndedAt != nil {
		s.DurationMS = float64(rec.EndedAt.Sub(rec.StartedAt).Microseconds()) / 1000
	}
	if rec.State == store.StateFailed {
		s.Failure = &v1.Failure{Step: v1.Step(rec.FailureStep), Code: rec.FailureCode, Reason: rec.FailureReason}
	}
	for _, e := range rec.Events {
		if len(e.Payload) == 0 {
			continue
		}
		ev, _, err := v1.DecodeDetail(e.Payload)
		if err != nil {
			continue
		}
		switch x := ev.(type) {
		case *v1.SignalGenerated:
			s.Target, s.Strategies, s.AsOf = x.Target, x.Strategies, x.AsOf
		case *v1.RebalancePlanned:
			s.Plan = x
		case *v1.TradeExecuted:
			s.Execution = x
		}
	}
	trace, err := c.Bus.Trace(ctx, rec.CorrelationID)
	if err != nil {
		return s, fmt.Errorf("trace %s: %w", rec.CorrelationID, err)
	}
	s.Timeline = timeline(trace)
	for _, a := range trace.Attempts {
		if a.Outcome == "dead-lettered" || a.Outcome == "dropped" {
			s.DeadLetters++
		}
	}
	mails, err := smtpinbox.List(c.opts.MailDir())
	if err != nil {
		return s, err
	}
	sort.Slice(mails, func(i, j int) bool { return mails[i].Date.Before(mails[j].Date) || mails[i].ID < mails[j].ID })
	if n := c.Inbox.Stored() - mailBefore; n > 0 && len(mails) >= n {
		s.Emails = mails[len(mails)-n:]
	}
	s.OrderCheck = c.checkOrders(ordersBefore, s.Execution)
	return s, nil
}

func timeline(tr eventbridge.Trace) []Hop {
	type ids struct{ event, cause string }
	parsed := make([]ids, len(tr.Events))
	byEventID := map[string]time.Time{}
	var start time.Time
	for i, e := range tr.Events {
		var env struct {
			Detail struct {
				EventID     string `json:"event_id"`
				CausationID string `json:"causation_id"`
			} `json:"detail"`
		}
		_ = json.Unmarshal(e.Envelope, &env)
		parsed[i] = ids{env.Detail.EventID, env.Detail.CausationID}
		if _, dup := byEventID[env.Detail.EventID]; !dup {
			byEventID[env.Detail.EventID] = e.ReceivedAt
		}
		if start.IsZero() || e.ReceivedAt.Before(start) {
			start = e.ReceivedAt
		}
	}
	hops := make([]Hop, 0, len(tr.Events))
	for i, e := range tr.Events {
		h := Hop{At: e.ReceivedAt, EventType: e.DetailType, Source: e.Source, EventID: parsed[i].event, Rules: e.Rules,
			SinceStart: ms(e.ReceivedAt.Sub(start))}
		if at, ok := byEventID[parsed[i].cause]; ok {
			h.HopMS = ms(e.ReceivedAt.Sub(at))
		}
		for _, a := range tr.Attempts {
			if a.EventID == e.EventID {
				h.Deliveries++
			}
		}
		hops = append(hops, h)
	}
	return hops
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// checkOrders reads the simulator's order log since the run began: no client order ID may
// appear twice, and the log must hold exactly the orders execution reported as placed.
func (c *Cloud) checkOrders(before int, te *v1.TradeExecuted) OrderCheck {
	orders := c.Sim.Orders()
	if before > len(orders) {
		before = len(orders)
	}
	orders = orders[before:]
	seen := map[string]int{}
	for _, o := range orders {
		seen[o.ClientOrderID]++
	}
	chk := OrderCheck{OrdersInLog: len(orders), UniqueClientIDs: len(seen), Duplicates: []string{}}
	for id, n := range seen {
		if n > 1 {
			chk.Duplicates = append(chk.Duplicates, id)
		}
	}
	sort.Strings(chk.Duplicates)
	placed := map[string]bool{}
	if te != nil {
		for _, o := range te.Orders {
			if o.BrokerOrderID != "" {
				placed[o.ClientOrderID] = true
			}
		}
	}
	chk.MatchesExecution = len(placed) == len(seen)
	for id := range placed {
		if seen[id] != 1 {
			chk.MatchesExecution = false
		}
	}
	chk.OK = len(chk.Duplicates) == 0 && chk.MatchesExecution
	return chk
}
