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
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: 2 * time.Minute,
		ExpectContinueTimeout: 2 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          2 * workers,
		MaxIdleConnsPerHost:   workers + 1,
		DisableCompression:    true,
		WriteBufferSize:       64 << 10,
		ReadBufferSize:        16 << 10,
	}
}
