package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// HealthStates are the states the health gauge has a series for; a show
// in a state not listed (a newer one) is counted under "other".
var HealthStates = []string{"running", "auth-error", "not-found", "offline", "slow-down",
	"watch-error", "state-dir-error", "stopped", "other"}

var modes = []string{"events", "poll", "poll-fallback", "starting"}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(namespace+"_"+name, help, append([]string{"watch"}, labels...), nil)
}

var (
	descQueueFiles = desc("queue_files", "Files in the queue by state.", "state")
	descQueueBytes = desc("queue_bytes", "Bytes of the files in the queue by state.", "state")
	descHealth     = desc("health", "1 for the show's health state, 0 for the others.", "state")
	descBandwidth  = desc("bandwidth_limit_bytes_per_second", "Bandwidth cap in force; 0 means unlimited.")
	descMode       = desc("watcher_mode", "1 for the watcher's mode, 0 for the others.", "mode")
	descLastScan   = desc("last_full_scan_timestamp_seconds", "When the last full scan of the tree finished; 0 before the first.")
	descOldest     = desc("oldest_queued_age_seconds", "Age of the oldest queued file's wait; 0 when nothing is queued.")
)

// collector reads every show's Snapshot at scrape time.
type collector struct{ m *Metrics }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descQueueFiles, descQueueBytes, descHealth, descBandwidth,
		descMode, descLastScan, descOldest} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	now := c.m.now()
	for _, s := range c.m.sources() {
		snap := s.Read()
		g := func(d *prometheus.Desc, v float64, labels ...string) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append([]string{s.Name}, labels...)...)
		}
		for state, n := range map[string]int{"queued": snap.Queued, "active": snap.Active, "done": snap.Done,
			"failed": snap.Failed, "gone": snap.Gone, "missing": snap.Missing} {
			g(descQueueFiles, float64(n), state)
		}
		for state, n := range map[string]int64{"queued": snap.QueuedBytes, "active": snap.ActiveBytes, "done": snap.DoneBytes} {
			g(descQueueBytes, float64(n), state)
		}
		health := snap.Health
		if !known(HealthStates, health) {
			health = "other"
		}
		for _, st := range HealthStates {
			g(descHealth, b2f(st == health), st)
		}
		g(descBandwidth, float64(snap.BandwidthLimit))
		mode := watcherMode(snap.WatcherMode)
		for _, md := range modes {
			g(descMode, b2f(md == mode), md)
		}
		var scan float64
		if !snap.LastScan.IsZero() {
			scan = float64(snap.LastScan.UnixNano()) / 1e9
		}
		g(descLastScan, scan)
		var age float64
		if !snap.OldestQueued.IsZero() && now.After(snap.OldestQueued) {
			age = now.Sub(snap.OldestQueued).Seconds()
		}
		g(descOldest, age)
	}
}

func known(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
