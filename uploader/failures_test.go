package uploader

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestLastErrorSignUnreachable: an API that cannot be reached is named
// by its base URL in LastError and in the offline detail, in plain words,
// without the token.
func TestLastErrorSignUnreachable(t *testing.T) {
	base := "http://" + deadAddr(t) + "/api/v1"
	e := newEnv(t, newStorage(t, nil), apiClient(t, base))
	e.enqueue(e.file("_graded/a.mov", pattern(10)))
	start := time.Now()
	u, _ := e.run(Options{RetryMin: time.Hour, RetryMax: time.Hour})
	if ev := e.next("_graded/a.mov"); ev.kind != "release" {
		t.Fatalf("got %s %q, want release", ev.kind, ev.reason)
	}
	s := u.Snapshot()
	t.Logf("LastError: %s\nDetail: %s", s.LastError, s.Detail)
	wantErr := "sign _graded/a.mov: the oDailies API at " + base + " cannot be reached: dial tcp "
	if !strings.HasPrefix(s.LastError, wantErr) || !strings.Contains(s.LastError, "refused") {
		t.Errorf("LastError = %q, want %q… connection refused", s.LastError, wantErr)
	}
	if s.LastErrorAt.Before(start) || s.LastErrorAt.After(time.Now()) || !s.LastUploadAt.IsZero() {
		t.Errorf("LastErrorAt %v, LastUploadAt %v", s.LastErrorAt, s.LastUploadAt)
	}
	wantDetail := "the oDailies API at " + base + " cannot be reached (dial tcp "
	if s.Health != HealthOffline || !strings.HasPrefix(s.Detail, wantDetail) {
		t.Errorf("health %q detail %q, want %q…", s.Health, s.Detail, wantDetail)
	}
	for _, text := range []string{s.LastError, s.Detail, e.logs.String()} {
		if strings.Contains(text, e2eToken) {
			t.Errorf("token leaked: %q", text)
		}
	}
}

// TestLastErrorPut: a PUT's failure becomes LastError with what storage
// said, or which storage could not be reached; never the signature.
func TestLastErrorPut(t *testing.T) {
	refusing := func(t *testing.T) *storage {
		return newStorage(t, func(w http.ResponseWriter, r *http.Request, n int64) bool {
			http.Error(w, "<Error><Code>AccessDenied</Code><Sig>"+fakeSignature+"</Sig></Error>", http.StatusForbidden)
			return true
		})
	}
	dead := func(t *testing.T) *storage {
		st := newStorage(t, nil)
		st.srv.Close()
		return st
	}
	tests := []struct {
		name    string
		storage func(t *testing.T) *storage
		kind    string
		want    func(st *storage) string
	}{
		{"storage refuses", refusing, "fail", func(*storage) string { return "PUT _graded/a.mov: 403 Forbidden: <Error><Code>AccessDenied" }},
		{"storage unreachable", dead, "retry", func(st *storage) string {
			return "PUT _graded/a.mov: the storage at " + st.srv.URL + " cannot be reached: dial tcp "
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := tc.storage(t)
			e := newEnv(t, newStorage(t, nil), signFor(st, time.Hour))
			e.enqueue(e.file("_graded/a.mov", pattern(10)))
			u, _ := e.run(Options{RetryMin: time.Hour, RetryMax: time.Hour})
			if ev := e.next("_graded/a.mov"); ev.kind != tc.kind {
				t.Fatalf("got %s %q, want %s", ev.kind, ev.reason, tc.kind)
			}
			s := u.Snapshot()
			t.Logf("LastError: %s", s.LastError)
			if want := tc.want(st); !strings.HasPrefix(s.LastError, want) {
				t.Errorf("LastError = %q, want %q…", s.LastError, want)
			}
			if strings.Contains(s.LastError, fakeSignature) || strings.Contains(s.LastError, "TOPSECRET") {
				t.Errorf("signature leaked: %q", s.LastError)
			}
			if s.LastErrorAt.IsZero() || s.Health != HealthOK {
				t.Errorf("LastErrorAt %v, health %q", s.LastErrorAt, s.Health)
			}
		})
	}
}

// TestLastUploadAt: the time a file last finished, on Options.Now, and no
// LastError when nothing failed.
func TestLastUploadAt(t *testing.T) {
	at := time.Date(2026, 4, 22, 10, 0, 0, 0, time.UTC)
	st := newStorage(t, nil)
	e := newEnv(t, st, signFor(st, time.Hour))
	e.enqueue(e.file("_graded/a.mov", pattern(10)))
	u, r := e.run(Options{Now: func() time.Time { return at }})
	if ev := e.next("_graded/a.mov"); ev.kind != "done" {
		t.Fatalf("got %s %q", ev.kind, ev.reason)
	}
	// Once Run has returned, every outcome has been counted.
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	s := u.Snapshot()
	if s.Uploaded != 1 || !s.LastUploadAt.Equal(at) || s.LastError != "" || !s.LastErrorAt.IsZero() {
		t.Errorf("snapshot %+v", s)
	}
}
