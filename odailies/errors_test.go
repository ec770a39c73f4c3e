package odailies

import (
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 4, 22, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"30", 30 * time.Second},
		{" 5 ", 5 * time.Second},
		{"-3", 0},
		{"1.5", 0},
		{"99999999999999", time.Duration(math.MaxInt64/int64(time.Second)) * time.Second},
		{"99999999999999999999", 0},
		{now.Add(time.Minute).Format(http.TimeFormat), time.Minute},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{"Wed, 22 Apr 2026 10:00:30 GMT", 30 * time.Second},
		{"later", 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestResponseErrorExcerpt(t *testing.T) {
	body := "<Error>\n  <Code>SignatureDoesNotMatch</Code>\n</Error>" + strings.Repeat("x", 5000)
	resp := &http.Response{StatusCode: 403, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}
	err := ResponseError("PUT _graded/a.mov", resp, time.Now())
	msg := err.Error()
	if !strings.HasPrefix(msg, "PUT _graded/a.mov: 403 Forbidden: <Error> <Code>SignatureDoesNotMatch</Code> </Error>xxx") {
		t.Errorf("message %q", msg)
	}
	if len(msg) > 300 || !strings.HasSuffix(msg, "…") {
		t.Errorf("message of %d bytes not cut: %q", len(msg), msg)
	}
	if !IsAuth(err) || IsTransient(err) {
		t.Errorf("predicates wrong for %v", err)
	}
}

func TestIsTransientNil(t *testing.T) {
	if IsTransient(nil) || IsAuth(nil) || IsSlowDown(nil) || StatusCode(nil) != 0 {
		t.Error("predicates report something for nil")
	}
}
