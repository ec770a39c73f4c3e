package units

import (
	"errors"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"512", 512}, {"64MB", 64e6}, {"64 MiB", 64 << 20}, {"1.5GiB", 3 << 29}, {"2kb", 2000}, {" 3 TB ", 3e12}, {"0", 0},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "MB", "12 parsecs", "1.2.3MB", "-5MB", "1e30TB"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
	if _, err := ParseSize("x"); !errors.Is(err, ErrBadSize) {
		t.Errorf("error does not wrap ErrBadSize: %v", err)
	}
}

func TestParseRate(t *testing.T) {
	if n, err := ParseRate(""); n != 0 || err != nil {
		t.Errorf("empty rate: %d, %v", n, err)
	}
	if n, err := ParseRate("40MB/s"); n != 40e6 || err != nil {
		t.Errorf("40MB/s: %d, %v", n, err)
	}
	for _, bad := range []string{"40MB", "0MB/s", "fast/s"} {
		if _, err := ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) accepted", bad)
		}
	}
}

func TestExactReadsBack(t *testing.T) {
	for _, n := range []int64{0, 1, 999, 1000, 1024, 64e6, 64 << 20, 3 << 29, 1e9 + 1} {
		got, err := ParseSize(Exact(n))
		if err != nil || got != n {
			t.Errorf("Exact(%d) = %q reads back as %d, %v", n, Exact(n), got, err)
		}
	}
}

func TestBytesAndRate(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {3 << 19, "1.5 MiB"}, {5 << 30, "5.0 GiB"}}
	for _, tt := range tests {
		if got := Bytes(tt.n); got != tt.want {
			t.Errorf("Bytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	if got := Rate(3 << 19); got != "1.5 MiB/s" {
		t.Errorf("Rate = %q", got)
	}
	if got := Rate(-1); got != "0 B/s" {
		t.Errorf("Rate(-1) = %q", got)
	}
}
