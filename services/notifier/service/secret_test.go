package service

import "testing"

func TestPasswordFromSecret(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"plain-pass", "plain-pass", true},
		{`{"password":"json-pass","username":"u"}`, "json-pass", true},
		{`{"user":"u"}`, "", false},
		{"", "", false},
	}
	for _, c := range cases {
		got, err := passwordFromSecret(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("passwordFromSecret(%q) = %q, %v", c.in, got, err)
		}
		if err != nil && c.in != "" && contains(err.Error(), c.in) {
			t.Errorf("error repeats the secret: %v", err)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
