// Package metrics exposes the daemon in the Prometheus text format, for
// /metrics on the [ui] listen address. Every series carries the label
// watch, the show's name ("" for the single-show form); no label value is
// ever a path, a URL or a token: reasons are reduced to a few classes
// (Class), modes and states are fixed words.
//
// # Two sources
//
// Gauges are read at scrape time from each show's Snapshot (a custom
// Collector, so nothing is updated between scrapes): queue depth by
// state, health, the bandwidth cap in force, the watcher's mode, the last
// full scan and the oldest queued file's age. Counters and histograms are
// fed as things happen through a Show: the daemon wraps the queue the
// uploader drives (Done, Fail, Retry) and the transport its PUTs go
// through, so the uploader itself knows nothing of metrics.
//
// # Series
//
//	odailies_uploader_uploaded_files_total{watch}          files uploaded and recorded done
//	odailies_uploader_uploaded_bytes_total{watch}          their bytes
//	odailies_uploader_failed_files_total{watch,reason}     files failed for good, by Class
//	odailies_uploader_retries_total{watch,reason}          retries scheduled, by Class
//	odailies_uploader_put_duration_seconds{watch}          one PUT request, start to answer
//	odailies_uploader_put_size_bytes{watch}                its body
//	odailies_uploader_queue_files{watch,state}             queued, active, done, failed, gone, missing
//	odailies_uploader_queue_bytes{watch,state}             queued, active, done
//	odailies_uploader_health{watch,state}                  1 for the show's state, 0 for the others
//	odailies_uploader_bandwidth_limit_bytes_per_second{watch}  0: unlimited
//	odailies_uploader_watcher_mode{watch,mode}             1 for events, poll or poll-fallback
//	odailies_uploader_last_full_scan_timestamp_seconds{watch}  0: none finished yet
//	odailies_uploader_oldest_queued_age_seconds{watch}     0: nothing queued
//
// Counters start at zero with each process, as Prometheus expects
// (rate() and increase() handle the reset); the queue's totals are the
// queue_files gauges.
//
// # Hazards
//
//   - A Snapshot function runs on the scraper's goroutine and must be
//     cheap and never block on the network: the daemon's reads take the
//     queue's and watcher's locks only.
//   - Class reads the uploader's plain-words reasons; a reason it does not
//     recognise is "other", never the text itself.
package metrics
