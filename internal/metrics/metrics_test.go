package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Scrape GETs url and parses the text format, failing t on any error.
func Scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %s: %s", url, resp.Status, b)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse the metrics: %v", err)
	}
	return fams
}

// value is the value of family name's series whose labels include want.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	f, ok := fams[name]
	if !ok {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		for k, v := range want {
			found := false
			for _, l := range m.Label {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

func TestMetricsMoveAndHoldNoPath(t *testing.T) {
	now := time.Date(2026, 4, 22, 1, 0, 0, 0, time.UTC)
	var queued atomic.Int64
	read := func() Snapshot {
		return Snapshot{Queued: int(queued.Load()), Done: 3, DoneBytes: 300, Health: "auth-error",
			BandwidthLimit: 5e6, WatcherMode: "poll (fallback)", LastScan: now.Add(-time.Minute),
			OldestQueued: now.Add(-2 * time.Hour)}
	}
	m := New([]ShowSource{{Name: "Show A", Read: read}, {Name: "B", Read: func() Snapshot { return Snapshot{Health: "new-state"} }}},
		Options{Now: func() time.Time { return now }})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()

	before := Scrape(t, srv.URL)
	if v, ok := value(before, "odailies_uploader_uploaded_files_total", map[string]string{"watch": "B"}); !ok || v != 0 {
		t.Errorf("B's files counter before any upload = %v, %v; want a 0 series", v, ok)
	}
	a := m.Show("Show A")
	a.Uploaded(1 << 20)
	a.Uploaded(1 << 20)
	a.Failed("gave up after 20 attempts: PUT _graded/Day03/a.mov: the storage at https://s3 cannot be reached: dial tcp: connection refused")
	a.Failed("2147483648 bytes is larger than the 2 GiB single-upload limit")
	a.Retried("PUT _graded/x.mov: 503 Service Unavailable")
	a.Retried("sign _graded/x.mov: 429 Too Many Requests")
	rt := a.Transport(roundTripper(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
	}))
	req, _ := http.NewRequest(http.MethodPut, "https://s3/b/_graded/a.mov?X-Amz-Signature=s", strings.NewReader("12345"))
	if _, err := rt.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	queued.Store(7)

	after := Scrape(t, srv.URL)
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"odailies_uploader_uploaded_files_total", map[string]string{"watch": "Show A"}, 2},
		{"odailies_uploader_uploaded_bytes_total", map[string]string{"watch": "Show A"}, 2 << 20},
		{"odailies_uploader_failed_files_total", map[string]string{"reason": "network"}, 1},
		{"odailies_uploader_failed_files_total", map[string]string{"reason": "too-large"}, 1},
		{"odailies_uploader_retries_total", map[string]string{"reason": "server"}, 1},
		{"odailies_uploader_retries_total", map[string]string{"reason": "throttled"}, 1},
		{"odailies_uploader_put_duration_seconds", map[string]string{"watch": "Show A"}, 1},
		{"odailies_uploader_put_size_bytes", map[string]string{"watch": "Show A"}, 1},
		{"odailies_uploader_queue_files", map[string]string{"watch": "Show A", "state": "queued"}, 7},
		{"odailies_uploader_queue_bytes", map[string]string{"watch": "Show A", "state": "done"}, 300},
		{"odailies_uploader_health", map[string]string{"watch": "Show A", "state": "auth-error"}, 1},
		{"odailies_uploader_health", map[string]string{"watch": "Show A", "state": "running"}, 0},
		{"odailies_uploader_health", map[string]string{"watch": "B", "state": "other"}, 1},
		{"odailies_uploader_bandwidth_limit_bytes_per_second", map[string]string{"watch": "Show A"}, 5e6},
		{"odailies_uploader_watcher_mode", map[string]string{"watch": "Show A", "mode": "poll-fallback"}, 1},
		{"odailies_uploader_last_full_scan_timestamp_seconds", map[string]string{"watch": "Show A"}, float64(now.Add(-time.Minute).Unix())},
		{"odailies_uploader_oldest_queued_age_seconds", map[string]string{"watch": "Show A"}, 7200},
		{"odailies_uploader_oldest_queued_age_seconds", map[string]string{"watch": "B"}, 0},
	}
	for _, c := range checks {
		if v, ok := value(after, c.name, c.labels); !ok || v != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.name, c.labels, v, ok, c.want)
		}
	}
	NoPathInLabels(t, after)
}

// NoPathInLabels fails t when a label value looks like a path or URL.
func NoPathInLabels(t *testing.T, fams map[string]*dto.MetricFamily) {
	t.Helper()
	for name, f := range fams {
		if !strings.HasPrefix(name, namespace+"_") {
			continue
		}
		for _, m := range f.Metric {
			for _, l := range m.Label {
				if strings.ContainsAny(l.GetValue(), "/\\?") || strings.Contains(l.GetValue(), ".mov") {
					t.Errorf("%s has label %s=%q: a path or URL", name, l.GetName(), l.GetValue())
				}
			}
		}
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestClass(t *testing.T) {
	for reason, want := range map[string]string{
		"PUT _graded/a.mov: 400 Bad Request: <Code>InvalidArgument</Code>":                 "refused",
		"storage refused 3 freshly signed URLs: PUT a: 403 Forbidden":                      "refused",
		"sign _graded/a.mov: 401 Unauthorized":                                             "auth",
		"the body arrived damaged 3 times (BadDigest)":                                     "damaged",
		"sign a: the oDailies API at https://x cannot be reached: dial tcp: i/o timeout":   "network",
		"PUT a: 502 Bad Gateway":                                                           "server",
		"open: permission denied":                                                          "local",
		"something new":                                                                    "other",
		"gave up after 20 attempts: PUT _graded/a.mov: 500 Internal Server Error: <Error>": "server",
	} {
		if got := Class(reason); got != want {
			t.Errorf("Class(%q) = %q, want %q", reason, got, want)
		}
	}
}
