// Package render turns a workflow's notification into its email: a subject following the
// house convention, an HTML body and a plain-text body from templates embedded in the binary,
// and a small allocation chart as a PNG for the HTML body to show inline (cid:).
//
// In neutral mode (the default) the email shows percentages and quantities and never a dollar
// value: no equity, no notional, no average price.
package render

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"sort"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/shopspring/decimal"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
)

//go:embed templates/*.tmpl
var files embed.FS

var (
	funcs = map[string]any{"join": strings.Join, "inc": func(i int) int { return i + 1 }}
	htmlT = htmltemplate.Must(htmltemplate.New("").Funcs(funcs).ParseFS(files, "templates/*.html.tmpl"))
	textT = texttemplate.Must(texttemplate.New("").Funcs(funcs).ParseFS(files, "templates/*.txt.tmpl"))
)

// ChartCID is the Content-ID of the inline allocation chart.
const ChartCID = "allocation-chart.png"

// Options choose how an email is rendered.
type Options struct {
	// Neutral hides every dollar value.
	Neutral bool
	// Replay marks an event replayed from the archive: the email is labelled a dry run.
	Replay bool
}

// Email is a rendered email.
type Email struct {
	Subject string
	Text    string
	HTML    string
	// Chart is the inline PNG the HTML refers to as cid:ChartCID; nil when there is nothing
	// to draw.
	Chart []byte
}

// Subject returns the subject of a workflow's email: "[SUCCESS] Alchemiser - PAPER Trading
// Report", "[FAILURE][<code>] ...", and "[DRY RUN]" first for dry runs and replays.
func Subject(n *v1.TradingNotificationRequested, o Options) string {
	var b strings.Builder
	if n.DryRun || n.Status == v1.StatusDryRun || o.Replay {
		b.WriteString("[DRY RUN]")
	}
	switch {
	case n.Status == v1.StatusFailure:
		code := "unknown"
		if n.Failure != nil && n.Failure.Code != "" {
			code = n.Failure.Code
		}
		fmt.Fprintf(&b, "[FAILURE][%s]", code)
	case n.Status == v1.StatusDryRun:
	default:
		b.WriteString("[SUCCESS]")
	}
	fmt.Fprintf(&b, " Alchemiser - %s Trading Report", modeName(n.TradingMode))
	return b.String()
}

func modeName(m v1.TradingMode) string {
	if m == v1.ModeLive {
		return "LIVE"
	}
	return "PAPER"
}

// Trading renders a workflow's one email. report is the folded error report (from an
// ErrorNotificationRequested of the same workflow); empty means none arrived.
func Trading(n *v1.TradingNotificationRequested, report string, o Options) (Email, error) {
	v := tradingView(n, report, o)
	e := Email{Subject: v.Subject}
	if len(v.Rows) > 0 {
		chart, err := Chart(v.bars)
		if err != nil {
			return Email{}, fmt.Errorf("render chart: %w", err)
		}
		e.Chart, v.ChartCID = chart, ChartCID
	}
	var err error
	if e.HTML, e.Text, err = execute("trading", v); err != nil {
		return Email{}, err
	}
	return e, nil
}

// Alert renders the email for an error outside any workflow.
func Alert(n *v1.ErrorNotificationRequested) (Email, error) {
	v := alertView{
		Subject:  fmt.Sprintf("[ALERT][%s][%s] Alchemiser - %s Error Report", n.Severity, orText(n.Code, "unknown"), modeName(n.TradingMode)),
		Severity: string(n.Severity), Step: string(n.Step), Code: n.Code, Message: n.Message, Report: n.Report,
		EventID: n.EventID, At: n.OccurredAt.UTC().Format(time.RFC3339), Stage: n.Stage,
	}
	html, text, err := execute("alert", v)
	if err != nil {
		return Email{}, err
	}
	return Email{Subject: v.Subject, HTML: html, Text: text}, nil
}

func execute(name string, v any) (html, text string, err error) {
	var hb, tb bytes.Buffer
	if err := htmlT.ExecuteTemplate(&hb, name+".html.tmpl", v); err != nil {
		return "", "", fmt.Errorf("render %s html: %w", name, err)
	}
	if err := textT.ExecuteTemplate(&tb, name+".txt.tmpl", v); err != nil {
		return "", "", fmt.Errorf("render %s text: %w", name, err)
	}
	return hb.String(), tb.String(), nil
}

type alertView struct {
	Subject, Severity, Step, Code, Message, Report, EventID, At, Stage string
}

type view struct {
	Subject       string
	Badge         string
	Mode          string
	Status        string
	Summary       string
	CorrelationID string
	AsOf          string
	Started       string
	Ended         string
	Duration      string
	Neutral       bool
	DryRun        bool
	Equity        string
	Reason        string
	Rows          []row
	Strategies    []strategy
	Orders        []order
	OrderCount    int
	FilledCount   int
	Timeline      []step
	Failure       *failure
	ChartCID      string
	bars          []Bar
}

type row struct{ Symbol, Target, Current, Delta, Action, Qty string }

type strategy struct {
	Name, File, Weight, Status, Allocation, Error string
	Trace                                         []string
}

type order struct{ Symbol, Side, Requested, Filled, AvgPrice, Status, Error string }

type step struct{ At, Offset, Step, Event, Note, Line string }

type failure struct{ Step, Code, Reason, Report string }

func tradingView(n *v1.TradingNotificationRequested, report string, o Options) view {
	v := view{
		Subject: Subject(n, o), Mode: modeName(n.TradingMode), Status: string(n.Status), Summary: n.Summary,
		CorrelationID: n.CorrelationID, AsOf: orText(n.AsOf, "-"), Neutral: o.Neutral,
		DryRun:  n.DryRun || n.Status == v1.StatusDryRun || o.Replay,
		Started: n.StartedAt.UTC().Format(time.RFC3339), Ended: n.EndedAt.UTC().Format(time.RFC3339),
		Duration: n.EndedAt.Sub(n.StartedAt).Round(time.Millisecond).String(), Reason: n.Reason,
	}
	v.Badge = strings.TrimPrefix(strings.SplitN(v.Subject, " ", 2)[0], "[")
	v.Badge = strings.ReplaceAll(strings.TrimSuffix(v.Badge, "]"), "][", " / ")
	if n.Equity != nil && !o.Neutral {
		v.Equity = money(n.Equity.Decimal)
	}
	v.Rows, v.bars = allocation(n)
	for _, s := range n.Strategies {
		var alloc []string
		for _, a := range s.Allocation {
			alloc = append(alloc, a.Symbol+" "+pct(a.Weight.Decimal))
		}
		v.Strategies = append(v.Strategies, strategy{Name: s.Name, File: s.File, Weight: pct(s.Weight.Decimal), Status: string(s.Status),
			Allocation: orText(strings.Join(alloc, ", "), "all cash"), Trace: s.Trace, Error: s.Error})
	}
	for _, od := range n.Orders {
		x := order{Symbol: od.Symbol, Side: strings.ToUpper(string(od.Side)), Filled: od.FilledQty.String(), Status: od.Status, Error: od.Error, AvgPrice: "-"}
		switch {
		case od.RequestedQty != nil:
			x.Requested = od.RequestedQty.String() + " sh"
		case od.RequestedNotional != nil && o.Neutral:
			x.Requested = "notional"
		case od.RequestedNotional != nil:
			x.Requested = money(od.RequestedNotional.Decimal)
		default:
			x.Requested = "-"
		}
		if od.AvgPrice != nil && !o.Neutral {
			x.AvgPrice = money(od.AvgPrice.Decimal)
		}
		if od.FilledQty.IsPositive() {
			v.FilledCount++
		}
		v.Orders = append(v.Orders, x)
	}
	v.OrderCount = len(v.Orders)
	for _, t := range n.Timeline {
		s := step{At: t.At.UTC().Format("15:04:05.000"), Offset: "+" + t.At.Sub(n.StartedAt).Round(time.Millisecond).String(),
			Step: string(t.Step), Event: string(t.EventType), Note: t.Note}
		s.Line = strings.TrimRight(fmt.Sprintf("%s %-9s %-12s %-28s %s", s.At, s.Offset, s.Step, s.Event, s.Note), " ")
		v.Timeline = append(v.Timeline, s)
	}
	if n.Failure != nil {
		v.Failure = &failure{Step: string(n.Failure.Step), Code: n.Failure.Code, Reason: n.Failure.Reason, Report: strings.TrimRight(report, "\n")}
	}
	return v
}

// allocation joins the target and the plan's current weights, largest target first.
func allocation(n *v1.TradingNotificationRequested) ([]row, []Bar) {
	type w struct {
		target, current decimal.Decimal
		action, qty     string
	}
	by := map[string]*w{}
	get := func(s string) *w {
		if by[s] == nil {
			by[s] = &w{action: "-", qty: "-"}
		}
		return by[s]
	}
	for _, t := range n.Target {
		get(t.Symbol).target = t.Weight.Decimal
	}
	for _, p := range n.Plan {
		x := get(p.Symbol)
		x.target, x.current, x.action = p.TargetWeight.Decimal, p.CurrentWeight.Decimal, string(p.Action)
		if p.Qty != nil {
			x.qty = p.Qty.String() + " sh"
		} else if p.Notional != nil {
			x.qty = "notional"
		}
	}
	syms := make([]string, 0, len(by))
	for s := range by {
		syms = append(syms, s)
	}
	sort.Slice(syms, func(i, j int) bool {
		a, b := by[syms[i]], by[syms[j]]
		if c := a.target.Cmp(b.target); c != 0 {
			return c > 0
		}
		return syms[i] < syms[j]
	})
	var rows []row
	var bars []Bar
	for _, s := range syms {
		x := by[s]
		d := x.target.Sub(x.current).Mul(decimal.NewFromInt(100)).StringFixed(1)
		if !strings.HasPrefix(d, "-") {
			d = "+" + d
		}
		rows = append(rows, row{Symbol: s, Target: pct(x.target), Current: pct(x.current), Delta: d + " pp", Action: x.action, Qty: x.qty})
		bars = append(bars, Bar{Target: permille(x.target), Current: permille(x.current)})
	}
	return rows, bars
}

func permille(d decimal.Decimal) int {
	return int(d.Mul(decimal.NewFromInt(1000)).Round(0).IntPart())
}

func pct(d decimal.Decimal) string { return d.Mul(decimal.NewFromInt(100)).StringFixed(1) + "%" }

// money formats dollars with thousands separators: $12,345.67.
func money(d decimal.Decimal) string {
	s := d.Abs().StringFixed(2)
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	sign := ""
	if d.IsNegative() {
		sign = "-"
	}
	return sign + "$" + b.String() + "." + frac
}

func orText(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}
