package backtest

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// palette colours the allocation chart, by symbol rank.
var palette = []string{
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
	"#9c755f", "#bab0ac", "#1f77b4", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
	"#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5",
}

func pct(v float64) string { return strconv.FormatFloat(v*100, 'f', 2, 64) + "%" }

func num(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }

// WriteHTML writes a self-contained report: the statistics, an equity-curve SVG, an allocation
// SVG (stacked weights over time), the strategies and the rebalance log summary.
func (r *Result) WriteHTML(w io.Writer) error {
	var b strings.Builder
	s := r.Stats
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
	fmt.Fprintf(&b, "<title>Backtest: %s</title>\n", html.EscapeString(r.Name))
	b.WriteString(`<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1000px}
table{border-collapse:collapse;margin:1em 0}td,th{padding:.25em .8em;border-bottom:1px solid #ddd;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}h2{margin-top:1.5em}.legend span{display:inline-block;margin-right:1em}
.sw{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:middle}
</style></head><body>
`)
	fmt.Fprintf(&b, "<h1>Backtest: %s</h1>\n", html.EscapeString(r.Name))
	fmt.Fprintf(&b, "<p>%s to %s, %d trading days. Close-to-close fills.</p>\n", s.Start.Format(time.DateOnly), s.End.Format(time.DateOnly), s.Days)
	b.WriteString("<table>\n")
	rows := [][2]string{
		{"Start value", "$" + s.StartValue.StringFixed(2)},
		{"End value", "$" + s.EndValue.StringFixed(2)},
		{"CAGR", pct(s.CAGR)},
		{"Volatility (annualised)", pct(s.Volatility)},
		{"Sharpe (rf = 0)", num(s.Sharpe, 2)},
		{"Max drawdown", pct(s.MaxDrawdown)},
		{"Turnover (one-way, per year)", pct(s.Turnover)},
		{"Rebalances", strconv.Itoa(s.Rebalances)},
		{"Costs and slippage", "$" + s.Costs.StringFixed(2)},
	}
	for _, row := range rows {
		fmt.Fprintf(&b, "<tr><th>%s</th><td class=\"n\">%s</td></tr>\n", row[0], html.EscapeString(row[1]))
	}
	b.WriteString("</table>\n<h2>Equity curve</h2>\n")
	r.equitySVG(&b)
	b.WriteString("<h2>Allocation over time</h2>\n")
	r.allocationSVG(&b)
	b.WriteString("<h2>Strategies</h2>\n<table><tr><th>Strategy</th><th>File</th><th>Weight</th><th>Rebalance</th></tr>\n")
	for _, st := range r.Strategies {
		reb := string(st.Rebalance.Frequency)
		if st.Rebalance.HasThreshold {
			reb += ", threshold " + st.Rebalance.Threshold.String()
		}
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td class=\"n\">%s</td><td>%s</td></tr>\n",
			html.EscapeString(st.Name), html.EscapeString(st.File), pct(st.Weight.InexactFloat64()), html.EscapeString(reb))
	}
	b.WriteString("</table>\n<h2>Final allocation</h2>\n<table>\n")
	last := r.Days[len(r.Days)-1]
	for _, i := range r.order() {
		if last.Weights[i] > 0.00005 {
			fmt.Fprintf(&b, "<tr><td>%s</td><td class=\"n\">%s</td></tr>\n", html.EscapeString(r.Symbols[i]), pct(last.Weights[i]))
		}
	}
	b.WriteString("</table>\n</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

const (
	chartW, chartH = 900.0, 300.0
	padL, padB     = 70.0, 30.0
)

func (r *Result) x(i int) float64 {
	if len(r.Days) < 2 {
		return padL
	}
	return padL + float64(i)/float64(len(r.Days)-1)*(chartW-padL-10)
}

func (r *Result) equitySVG(b *strings.Builder) {
	lo, hi := math.Inf(1), math.Inf(-1)
	vals := make([]float64, len(r.Days))
	for i, d := range r.Days {
		vals[i] = d.Value.InexactFloat64()
		lo, hi = math.Min(lo, vals[i]), math.Max(hi, vals[i])
	}
	if hi <= lo {
		hi = lo + 1
	}
	y := func(v float64) float64 { return 10 + (hi-v)/(hi-lo)*(chartH-padB-10) }
	fmt.Fprintf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"Equity curve\">\n", int(chartW), int(chartH), int(chartW), int(chartH))
	r.axes(b, func(k int) (float64, string) {
		v := lo + (hi-lo)*float64(k)/4
		return y(v), "$" + num(v, 0)
	})
	b.WriteString("<polyline fill=\"none\" stroke=\"#4e79a7\" stroke-width=\"1.5\" points=\"")
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(num(r.x(i), 1) + "," + num(y(v), 1))
	}
	b.WriteString("\"/>\n</svg>\n")
}

func (r *Result) axes(b *strings.Builder, tick func(k int) (float64, string)) {
	fmt.Fprintf(b, "<line x1=\"%s\" y1=\"10\" x2=\"%s\" y2=\"%s\" stroke=\"#999\"/>\n", num(padL, 0), num(padL, 0), num(chartH-padB, 0))
	fmt.Fprintf(b, "<line x1=\"%s\" y1=\"%s\" x2=\"%s\" y2=\"%s\" stroke=\"#999\"/>\n", num(padL, 0), num(chartH-padB, 0), num(chartW-10, 0), num(chartH-padB, 0))
	for k := 0; k <= 4; k++ {
		yy, label := tick(k)
		fmt.Fprintf(b, "<text x=\"%s\" y=\"%s\" font-size=\"11\" text-anchor=\"end\">%s</text>\n", num(padL-5, 0), num(yy+4, 1), html.EscapeString(label))
	}
	n := len(r.Days)
	for k := 0; k <= 4; k++ {
		i := (n - 1) * k / 4
		anchor := "middle"
		switch k {
		case 0:
			anchor = "start"
		case 4:
			anchor = "end"
		}
		fmt.Fprintf(b, "<text x=\"%s\" y=\"%s\" font-size=\"11\" text-anchor=\"%s\">%s</text>\n", num(r.x(i), 1), num(chartH-padB+16, 0), anchor, r.Days[i].Date.Format(time.DateOnly))
	}
}

// order returns symbol indexes by average weight, largest first (ties by name).
func (r *Result) order() []int {
	avg := make([]float64, len(r.Symbols))
	for _, d := range r.Days {
		for i, w := range d.Weights {
			avg[i] += w
		}
	}
	idx := make([]int, len(r.Symbols))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return avg[idx[a]] > avg[idx[b]] })
	return idx
}

// allocationSVG draws stacked weights, sampled to at most 500 points.
func (r *Result) allocationSVG(b *strings.Builder) {
	step := max(1, (len(r.Days)+499)/500)
	var samples []int
	for i := 0; i < len(r.Days); i += step {
		samples = append(samples, i)
	}
	if samples[len(samples)-1] != len(r.Days)-1 {
		samples = append(samples, len(r.Days)-1)
	}
	y := func(w float64) float64 { return 10 + (1-w)*(chartH-padB-10) }
	fmt.Fprintf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"Allocation over time\">\n", int(chartW), int(chartH), int(chartW), int(chartH))
	r.axes(b, func(k int) (float64, string) { return y(float64(k) / 4), strconv.Itoa(k*25) + "%" })
	base := make([]float64, len(samples))
	var legend strings.Builder
	for rank, i := range r.order() {
		used := false
		for _, k := range samples {
			if r.Days[k].Weights[i] > 0 {
				used = true
				break
			}
		}
		if !used {
			continue
		}
		col := palette[rank%len(palette)]
		top := make([]float64, len(samples))
		for j, k := range samples {
			top[j] = base[j] + r.Days[k].Weights[i]
		}
		b.WriteString("<path fill=\"" + col + "\" d=\"M")
		for j, k := range samples {
			if j > 0 {
				b.WriteString(" L")
			}
			b.WriteString(num(r.x(k), 1) + "," + num(y(top[j]), 1))
		}
		for j := len(samples) - 1; j >= 0; j-- {
			b.WriteString(" L" + num(r.x(samples[j]), 1) + "," + num(y(base[j]), 1))
		}
		b.WriteString(" Z\"><title>" + html.EscapeString(r.Symbols[i]) + "</title></path>\n")
		copy(base, top)
		fmt.Fprintf(&legend, "<span><i class=\"sw\" style=\"background:%s\"></i>%s</span>", col, html.EscapeString(r.Symbols[i]))
	}
	b.WriteString("</svg>\n<p class=\"legend\">" + legend.String() + "</p>\n")
}

// WriteEquityCSV writes date,value lines.
func (r *Result) WriteEquityCSV(w io.Writer) error {
	var b strings.Builder
	b.WriteString("date,value\n")
	for _, d := range r.Days {
		b.WriteString(d.Date.Format(time.DateOnly) + "," + d.Value.StringFixed(2) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteAllocationsCSV writes the daily weights, one column per symbol.
func (r *Result) WriteAllocationsCSV(w io.Writer) error {
	var b strings.Builder
	b.WriteString("date," + strings.Join(r.Symbols, ",") + ",rebalanced\n")
	for _, d := range r.Days {
		b.WriteString(d.Date.Format(time.DateOnly))
		for _, x := range d.Weights {
			b.WriteString("," + num(x, 6))
		}
		b.WriteString("," + strings.Join(d.Rebalanced, ";") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Summary is the JSON form of Stats.
type Summary struct {
	Name        string `json:"name"`
	Start       string `json:"start"`
	End         string `json:"end"`
	Days        int    `json:"days"`
	StartValue  string `json:"start_value"`
	EndValue    string `json:"end_value"`
	CAGR        string `json:"cagr"`
	Volatility  string `json:"volatility"`
	Sharpe      string `json:"sharpe"`
	MaxDrawdown string `json:"max_drawdown"`
	Turnover    string `json:"turnover"`
	Rebalances  int    `json:"rebalances"`
	Costs       string `json:"costs"`
}

// Summary returns the statistics with fixed precision, for JSON.
func (r *Result) Summary() Summary {
	s := r.Stats
	return Summary{
		Name: r.Name, Start: s.Start.Format(time.DateOnly), End: s.End.Format(time.DateOnly), Days: s.Days,
		StartValue: s.StartValue.StringFixed(2), EndValue: s.EndValue.StringFixed(2),
		CAGR: num(s.CAGR, 6), Volatility: num(s.Volatility, 6), Sharpe: num(s.Sharpe, 4),
		MaxDrawdown: num(s.MaxDrawdown, 6), Turnover: num(s.Turnover, 4), Rebalances: s.Rebalances,
		Costs: s.Costs.StringFixed(2),
	}
}

// WriteSummaryJSON writes Summary as indented JSON.
func (r *Result) WriteSummaryJSON(w io.Writer) error {
	out, err := json.MarshalIndent(r.Summary(), "", "  ")
	if err != nil {
		return fmt.Errorf("encode summary: %w", err)
	}
	_, err = w.Write(append(out, '\n'))
	return err
}
