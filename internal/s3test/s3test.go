// Package s3test runs a real S3 server (versitygw with its posix backend),
// a slow or stalling TCP link (Link, dependency-free) and a corrupting
// proxy (Corrupter: one byte flipped in the first request body of each of
// the first N connections) for end-to-end tests. Only tests import it: it
// pulls in the AWS SDK, which the shipped binary must not carry. The
// end-to-end rig's toxiproxy link (bandwidth, resets, outages) is e2e/toxi,
// in the e2e module, so toxiproxy stays out of this module.
//
// # versitygw v1.8.0
//
// The posix backend keeps metadata in user extended attributes, so its
// folder lives under /tmp (tmpfs and ext4 have them). Buckets are created
// through the SDK, path-style, region us-east-1. The server honours
// Expect: 100-continue and answers 411 to chunked bodies. When a client
// drops a PUT midway it may keep the truncated object (fixed upstream
// later), so tests should assert on the final state after retries.
package s3test

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// installHint is what to run when versitygw is missing.
const installHint = "go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// Server is a running versitygw with one bucket.
type Server struct {
	Endpoint  string // http://127.0.0.1:PORT, or https:// from StartTLS
	Bucket    string
	AccessKey string
	SecretKey string
	Dir       string // the posix backend's folder; the bucket is a folder in it

	Roots    *x509.CertPool // StartTLS: trusts the server's certificate; nil otherwise
	CABundle string         // StartTLS: PEM file for children's SSL_CERT_FILE; "" otherwise

	client *s3.Client
}

// Start starts versitygw on a free loopback port, waits until it answers,
// creates the bucket and stops the server in t.Cleanup. A missing
// versitygw fails the test with the command that installs it.
func Start(t testing.TB) *Server {
	t.Helper()
	return startServer(t, false)
}

func startServer(t testing.TB, useTLS bool) *Server {
	t.Helper()
	bin, err := findVersitygw()
	if err != nil {
		t.Fatalf("s3test: %v; install it with: %s", err, installHint)
	}
	dir, err := os.MkdirTemp("/tmp", "s3test-")
	if err != nil {
		t.Fatalf("s3test: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s := &Server{Bucket: "dailies", AccessKey: "s3testaccess", SecretKey: "s3testsecret0123456789", Dir: dir}
	addr := freeAddr(t)
	s.Endpoint = "http://" + addr
	var tlsArgs []string
	if useTLS {
		certDir := t.TempDir()
		var cert, key string
		s.Roots, cert, key, s.CABundle = testCA(t, certDir)
		s.Endpoint = "https://" + addr
		tlsArgs = []string{"--cert", cert, "--key", key}
	}
	start(t, bin, addr, s, tlsArgs)
	s.client = s.newClient()
	if err := s.waitReady(t, 30*time.Second); err != nil {
		t.Fatalf("s3test: versitygw did not answer: %v", err)
	}
	if _, err := s.client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(s.Bucket)}); err != nil {
		t.Fatalf("s3test: create bucket: %v", err)
	}
	return s
}

func start(t testing.TB, bin, addr string, s *Server, tlsArgs []string) {
	t.Helper()
	args := append([]string{"--port", addr, "--access", s.AccessKey, "--secret", s.SecretKey,
		"--quiet", "--keep-alive"}, tlsArgs...)
	cmd := exec.Command(bin, append(args, "posix", s.Dir)...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("s3test: start versitygw: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() && logs.Len() > 0 {
			t.Logf("versitygw output:\n%s", tail(logs.String(), 4000))
		}
	})
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// findVersitygw looks on PATH, then in $(go env GOPATH)/bin.
func findVersitygw() (string, error) {
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			gopath = strings.TrimSpace(string(out))
		}
	}
	for _, dir := range filepath.SplitList(gopath) {
		p := filepath.Join(dir, "bin", "versitygw")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", errors.New("versitygw is not on PATH nor in $(go env GOPATH)/bin")
}

// freeAddr finds a loopback port nobody listens on. Another process could
// take it before versitygw does; on loopback in a test run that is rare.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("s3test: find a free port: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// waitReady asks until the server answers an S3 call.
func (s *Server) waitReady(t testing.TB, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := s.client.ListBuckets(ctx, &s3.ListBucketsInput{})
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		<-tick.C
	}
}

func (s *Server) newClient() *s3.Client {
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		HTTPClient:   &http.Client{Transport: s.transport()},
		// The SDK's default checksums add trailers versitygw may not
		// expect on simple calls; ask for them only when required.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

// Via returns the same server as reached through addr (host:port), for
// example a Link (or e2e/toxi's): SigV4 signs the host, so URLs that go through a
// proxy must be presigned for the proxy's address. The scheme stays: a
// TCP link in front of StartTLS's server passes TLS through.
func (s *Server) Via(addr string) *Server {
	v := *s
	v.Endpoint = s.Scheme() + "://" + addr
	v.client = v.newClient()
	return &v
}

// Scheme is "https" for a server from StartTLS, else "http".
func (s *Server) Scheme() string {
	if s.Roots != nil {
		return "https"
	}
	return "http"
}

// Host is the server's host:port.
func (s *Server) Host() string { return strings.TrimPrefix(s.Endpoint, s.Scheme()+"://") }

// Presign returns a SigV4 presigned PUT URL for key, valid for lifetime.
// It signs only the host header: the uploader may send no other signed
// header.
func (s *Server) Presign(key string, lifetime time.Duration) (string, error) {
	p := s3.NewPresignClient(s.client, s3.WithPresignExpires(lifetime))
	req, err := p.PresignPutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(s.Bucket), Key: aws.String(key),
	})
	if err != nil {
		return "", fmt.Errorf("presign %s: %w", key, err)
	}
	return req.URL, nil
}

// Object returns the stored bytes of key, and whether it exists.
func (s *Server) Object(t testing.TB, key string) ([]byte, bool) {
	t.Helper()
	out, err := s.client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(s.Bucket), Key: aws.String(key)})
	if err != nil {
		if isNotFound(err) {
			return nil, false
		}
		t.Fatalf("s3test: get %s: %v", key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("s3test: read %s: %v", key, err)
	}
	return data, true
}

func isNotFound(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "NoSuchKey") || strings.Contains(msg, "StatusCode: 404")
}

// Keys lists every key in the bucket, all pages.
func (s *Server) Keys(t testing.TB) []string {
	t.Helper()
	var keys []string
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: aws.String(s.Bucket)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatalf("s3test: list: %v", err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}
