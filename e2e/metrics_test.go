package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/odailies/odailies-uploader/e2e/toxi"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetricsAndSlackFromTheBinary scrapes /metrics from the built
// daemon while it uploads a clip over a slow link, parses it with the
// Prometheus text parser, and checks the counters move and no label holds
// a path; a [[notify]] table in the slack format gets the failed file as
// a body Slack's incoming webhooks take.
func TestMetricsAndSlackFromTheBinary(t *testing.T) {
	var mu sync.Mutex
	var slack []map[string]any
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var m map[string]any
		if err := json.NewDecoder(req.Body).Decode(&m); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		mu.Lock()
		slack = append(slack, m)
		mu.Unlock()
	}))
	defer hook.Close()
	extra := fmt.Sprintf("[ui]\nlisten = \"127.0.0.1:0\"\n[[notify]]\nurl = %q\nformat = \"slack\"\nevents = [\"failure\"]\n", hook.URL+"/services/T0/B0/hooksecret")
	r := newRig(t, rigOptions{link: true, settle: "200ms", extraCfg: extra})
	r.api.FailSign(1, http.StatusBadRequest, 0)
	bad := filepath.Join(r.root, "_thumbnails", "Day01", "A001C001_bad.jpg")
	mustMkdir(t, filepath.Dir(bad))
	if err := os.WriteFile(bad, []byte("jpeg"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := r.start()
	r.eventually("the first file to fail", 30*time.Second, func() bool { s, ok := r.statusFile(); return ok && s.Failed == 1 })
	var base string
	r.eventually("the dashboard's start line", 10*time.Second, func() bool {
		m := dashboardURL.FindStringSubmatch(r.logText())
		if m != nil {
			base = m[1]
		}
		return m != nil
	})
	before := scrapeMetrics(t, base+"metrics")

	r.link.Bandwidth(toxi.Upstream, 2048) // 2 MiB/s: the 16 MiB clip takes some 8 s
	clip := strings.Repeat("0123456789abcdef", (16<<20)/16)
	mustMkdir(t, filepath.Join(r.root, "_graded", "Day01"))
	if err := os.WriteFile(filepath.Join(r.root, "_graded", "Day01", "A001C002.mov"), []byte(clip), 0o644); err != nil {
		t.Fatal(err)
	}
	var during map[string]*dto.MetricFamily
	r.eventually("the clip active in /metrics", 20*time.Second, func() bool {
		during = scrapeMetrics(t, base+"metrics")
		return gauge(during, "odailies_uploader_queue_files", "state", "active") == 1
	})
	r.eventually("the clip uploaded", 60*time.Second, func() bool { s, ok := r.statusFile(); return ok && s.Done == 1 })
	after := scrapeMetrics(t, base+"metrics")

	for _, c := range []struct {
		name          string
		before, after float64
	}{
		{"odailies_uploader_uploaded_files_total", 0, 1},
		{"odailies_uploader_uploaded_bytes_total", 0, 16 << 20},
		{"odailies_uploader_failed_files_total", 1, 1},
		{"odailies_uploader_put_size_bytes", 0, 1},
		{"odailies_uploader_put_duration_seconds", 0, 1},
	} {
		if b, a := sum(before, c.name), sum(after, c.name); b != c.before || a != c.after {
			t.Errorf("%s: %v before the clip, %v after; want %v, %v", c.name, b, a, c.before, c.after)
		}
	}
	if v := gauge(after, "odailies_uploader_health", "state", "running"); v != 1 {
		t.Errorf("health{state=running} = %v", v)
	}
	if v := gauge(after, "odailies_uploader_last_full_scan_timestamp_seconds", "", ""); v < float64(time.Now().Add(-time.Hour).Unix()) {
		t.Errorf("last full scan = %v", v)
	}
	for _, fams := range []map[string]*dto.MetricFamily{before, during, after} {
		for name, f := range fams {
			for _, m := range f.Metric {
				for _, l := range m.Label {
					if strings.ContainsAny(l.GetValue(), "/\\") || strings.Contains(l.GetValue(), "A001") {
						t.Errorf("%s{%s=%q}: a label holds a path", name, l.GetName(), l.GetValue())
					}
				}
			}
		}
	}

	r.eventually("the slack failure message", 20*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(slack) > 0 })
	mu.Lock()
	msg := slack[0]
	mu.Unlock()
	for k := range msg {
		if k != "text" && k != "blocks" {
			t.Errorf("slack body key %q: incoming webhooks take text and blocks", k)
		}
	}
	if text, _ := msg["text"].(string); !strings.Contains(text, "_thumbnails/Day01/A001C001_bad.jpg") || !strings.Contains(text, "retry") {
		t.Errorf("slack text = %q", text)
	}
	d.stop()
	if strings.Contains(r.logText(), "hooksecret") {
		t.Error("the log shows the webhook URL's path")
	}
	r.checkSecrets()
}

// scrapeMetrics GETs url and parses it with the Prometheus text parser.
func scrapeMetrics(t *testing.T, url string) map[string]*dto.MetricFamily {
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
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	return fams
}

// sum adds up family name's series: counter values, histogram counts.
func sum(fams map[string]*dto.MetricFamily, name string) float64 {
	var v float64
	if f, ok := fams[name]; ok {
		for _, m := range f.Metric {
			switch {
			case m.Counter != nil:
				v += m.Counter.GetValue()
			case m.Histogram != nil:
				v += float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return v
}

// gauge is family name's gauge whose label key is val ("" key: the first).
func gauge(fams map[string]*dto.MetricFamily, name, key, val string) float64 {
	f, ok := fams[name]
	if !ok {
		return -1
	}
	for _, m := range f.Metric {
		if key == "" {
			return m.Gauge.GetValue()
		}
		for _, l := range m.Label {
			if l.GetName() == key && l.GetValue() == val {
				return m.Gauge.GetValue()
			}
		}
	}
	return -1
}
