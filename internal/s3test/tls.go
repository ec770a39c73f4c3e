package s3test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// StartTLS is Start over https, as real presigned URLs are: versitygw
// serves a certificate for 127.0.0.1 signed by a CA made for this test.
// Server.Roots trusts that CA (for clients in the test process) and
// Server.CABundle is a PEM file holding the bundle $SSL_CERT_FILE names,
// if any, followed by the CA: give it to child processes as SSL_CERT_FILE
// (Go, curl and rclone read it), so they trust what they trusted before
// and the test CA too.
func StartTLS(t testing.TB) *Server {
	t.Helper()
	return startServer(t, true)
}

// testCA writes a CA, a server certificate for 127.0.0.1 and its key into
// dir, and the bundle beside them.
func testCA(t testing.TB, dir string) (roots *x509.CertPool, certFile, keyFile, bundle string) {
	t.Helper()
	caKey, caDER := makeCert(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: "s3test CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign,
	}, nil, nil)
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatalf("s3test: parse the test CA: %v", err)
	}
	srvKey, srvDER := makeCert(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: "127.0.0.1"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, ca, caKey)
	keyDER, err := x509.MarshalECPrivateKey(srvKey)
	if err != nil {
		t.Fatalf("s3test: %v", err)
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	certFile, keyFile, bundle = filepath.Join(dir, "server.pem"), filepath.Join(dir, "server.key"), filepath.Join(dir, "ca-bundle.pem")
	var old []byte
	if p := os.Getenv("SSL_CERT_FILE"); p != "" {
		if old, err = os.ReadFile(p); err != nil {
			t.Fatalf("s3test: read $SSL_CERT_FILE for the bundle: %v", err)
		}
		if len(old) > 0 && old[len(old)-1] != '\n' {
			old = append(old, '\n')
		}
	}
	for name, data := range map[string][]byte{
		certFile: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER}),
		keyFile:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
		bundle:   append(old, caPEM...),
	} {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatalf("s3test: %v", err)
		}
	}
	roots = x509.NewCertPool()
	roots.AddCert(ca)
	return roots, certFile, keyFile, bundle
}

// makeCert signs tmpl with parent's key (itself when parent is nil).
func makeCert(t testing.TB, tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*ecdsa.PrivateKey, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("s3test: %v", err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatalf("s3test: %v", err)
	}
	tmpl.SerialNumber = serial
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatalf("s3test: make a test certificate: %v", err)
	}
	return key, der
}

// transport is the SDK client's transport: the test CA trusted when the
// server speaks TLS.
func (s *Server) transport() *http.Transport {
	tr := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16}
	if s.Roots != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: s.Roots, MinVersion: tls.VersionTLS12}
	}
	return tr
}
