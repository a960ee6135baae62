package market_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/alchemiser/alchemiser/pkg/market"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		parse   func(string) (string, error)
		in      string
		want    string
		wantErr string
	}{
		{"symbol", sym, "spy", "SPY", ""},
		{"symbol with dot", sym, "BRK.B", "BRK.B", ""},
		{"symbol empty", sym, " ", "", "empty"},
		{"symbol bad char", sym, "SP Y", "", "not allowed"},
		{"qty", qty, "12.500", "12.5", ""},
		{"qty negative", qty, "-1", "", "negative"},
		{"qty abc", qty, "abc", "", "not a decimal"},
		{"money negative ok", money, "-10.25", "-10.25", ""},
		{"weight", weight, "0.25", "0.25", ""},
		{"weight over one", weight, "1.01", "", "outside"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	type doc struct {
		Q market.Qty    `json:"q"`
		M market.Money  `json:"m"`
		W market.Weight `json:"w"`
	}
	in := `{"q":"1.000001","m":"123.45","w":"0.5"}`
	var d doc
	if err := json.Unmarshal([]byte(in), &d); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(d)
	if string(out) != in {
		t.Fatalf("round trip: got %s want %s", out, in)
	}
	if err := json.Unmarshal([]byte(`{"q":1.5}`), &d); err == nil || !strings.Contains(err.Error(), "decimal string") {
		t.Fatalf("number instead of string: err = %v", err)
	}
}

func sym(s string) (string, error)    { v, err := market.ParseSymbol(s); return v.String(), err }
func qty(s string) (string, error)    { v, err := market.ParseQty(s); return v.String(), err }
func money(s string) (string, error)  { v, err := market.ParseMoney(s); return v.String(), err }
func weight(s string) (string, error) { v, err := market.ParseWeight(s); return v.String(), err }
