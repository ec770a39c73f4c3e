// Package toxi is the end-to-end rig's network link: toxiproxy, in this
// process, in front of one upstream, with the toxics the tests use
// (latency, bandwidth, resets, stalls) and outages. It lives in the e2e
// module so that toxiproxy and what it brings (its own prometheus, zerolog,
// gorilla/mux, protobuf) stay out of the program's module; the uploader's
// own tests use internal/s3test's dependency-free Link.
package toxi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// Toxi is a toxiproxy link, in this process, in front of one upstream.
// Point clients at Addr; add toxics to slow, cut or break the link.
type Toxi struct {
	Addr string // host:port clients connect to

	t     testing.TB
	proxy *toxiproxy.Proxy
	seq   atomic.Int64
}

// Proxy starts a link on a free loopback port that forwards to upstream
// (host:port) and stops it in t.Cleanup.
func Proxy(t testing.TB, upstream string) *Toxi {
	t.Helper()
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	p := toxiproxy.NewProxy(srv, "e2e", "127.0.0.1:0", upstream)
	if err := p.Start(); err != nil {
		t.Fatalf("toxi: start toxiproxy: %v", err)
	}
	t.Cleanup(p.Stop)
	return &Toxi{Addr: p.Listen, t: t, proxy: p}
}

// Stream directions of a toxic: upstream is client → server (uploads),
// downstream is server → client.
const (
	Upstream   = "upstream"
	Downstream = "downstream"
)

// add installs a toxic and returns its name for Remove.
func (x *Toxi) add(kind, stream string, attrs map[string]any) string {
	x.t.Helper()
	name := fmt.Sprintf("%s_%s_%d", kind, stream, x.seq.Add(1))
	body, err := json.Marshal(map[string]any{
		"name": name, "type": kind, "stream": stream, "toxicity": 1.0, "attributes": attrs,
	})
	if err != nil {
		x.t.Fatalf("toxi: toxic %s: %v", kind, err)
	}
	if _, err := x.proxy.Toxics.AddToxicJson(bytes.NewReader(body)); err != nil {
		x.t.Fatalf("toxi: add toxic %s: %v", kind, err)
	}
	return name
}

// Latency delays data on stream by ms milliseconds (± jitter ms).
func (x *Toxi) Latency(stream string, ms, jitter int) string {
	return x.add("latency", stream, map[string]any{"latency": ms, "jitter": jitter})
}

// Bandwidth caps stream at kbps kilobytes per second.
func (x *Toxi) Bandwidth(stream string, kbps int) string {
	return x.add("bandwidth", stream, map[string]any{"rate": kbps})
}

// ResetPeer resets connections (TCP RST) after timeoutMs milliseconds.
func (x *Toxi) ResetPeer(stream string, timeoutMs int) string {
	return x.add("reset_peer", stream, map[string]any{"timeout": timeoutMs})
}

// Timeout stops all data on stream; with timeoutMs > 0 the connection is
// closed after that long, with 0 it hangs until the toxic is removed.
func (x *Toxi) Timeout(stream string, timeoutMs int) string {
	return x.add("timeout", stream, map[string]any{"timeout": timeoutMs})
}

// Remove takes a toxic off the link.
func (x *Toxi) Remove(name string) {
	x.t.Helper()
	if err := x.proxy.Toxics.RemoveToxic(context.Background(), name); err != nil {
		x.t.Fatalf("toxi: remove toxic %s: %v", name, err)
	}
}

// RemoveAll takes every toxic off the link.
func (x *Toxi) RemoveAll() { x.proxy.Toxics.ResetToxics(context.Background()) }

// Disable cuts the link: open connections close and new ones are refused,
// as in an outage.
func (x *Toxi) Disable() { x.proxy.Stop() }

// Enable restores the link on the same address.
func (x *Toxi) Enable() {
	x.t.Helper()
	if err := x.proxy.Start(); err != nil {
		x.t.Fatalf("toxi: restore link: %v", err)
	}
}
