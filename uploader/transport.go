package uploader

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"
)

// NewTransport is the HTTP transport the uploader uses when Options has no
// HTTPClient: proxies from the environment, TLS 1.2 or newer, keep-alive
// connections enough for workers uploads at once, and timeouts on every
// step that has a natural bound (dial, TLS handshake, the answer to a fully
// sent request). There is deliberately no whole-request timeout: a large
// clip on a slow link takes as long as it takes, and the uploader's stall
// watchdog cuts uploads that stop moving.
//
// Idle connections are kept for every PUT that can run at once (Workers,
// the thumbnail lane, and with several shows the first-class job that
// passes a full pool: Workers+2), so a burst of small files never closes
// one and dials again: on a 50 ms link a new connection costs a DNS
// lookup, TCP's round trip and TLS's one or two, more than the PUT of a
// thumbnail. TLS sessions are cached, so a connection the storage closed
// while idle resumes its session instead of a full handshake.
//
// HTTP/1.1 only: each upload gets its own connection (and TCP window),
// which is what storage services expect of parallel PUTs. Compression is off so that no Accept-Encoding header is added to PUTs:
// a signed URL may have signed the header set.
func NewTransport(workers int) *http.Transport {
	if workers < 1 {
		workers = 1
	}
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12, ClientSessionCache: tls.NewLRUClientSessionCache(0)},
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: 2 * time.Minute,
		ExpectContinueTimeout: 2 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          2 * (workers + 2),
		MaxIdleConnsPerHost:   workers + 2,
		DisableCompression:    true,
		WriteBufferSize:       64 << 10,
		ReadBufferSize:        16 << 10,
	}
}
