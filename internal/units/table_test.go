package units

import "testing"

func TestParseSizeTable(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"512", 512, true}, {"512B", 512, true}, {"40MB", 40e6, true},
		{"40 MB", 40e6, true}, {"1.5GiB", 3 << 29, true}, {"64KiB", 64 << 10, true},
		{"2kb", 2000, true}, {"1TB", 1e12, true}, {" 3MiB ", 3 << 20, true}, {"0.5KB", 500, true},
		{"", 0, false}, {"MB", 0, false}, {"-1MB", 0, false}, {"40XB", 0, false}, {"1e3MB", 0, false},
		{"1.2.3MB", 0, false}, {".MB", 0, false}, {"99999999999TiB", 0, false}, {"NaN", 0, false}, {"40MB/s", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseRateTable(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"", 0, true}, {"  ", 0, true}, {"40MB/s", 40e6, true}, {"1.5MiB/s", 3 << 19, true},
		{"40MB", 0, false}, {"0MB/s", 0, false}, {"/s", 0, false}, {"fast/s", 0, false}, {"40MB/m", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseRate(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestFormatSizeReadsBack(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{{0, "0B"}, {1, "1B"}, {64e6, "64MB"}, {20e6, "20MB"}, {1 << 30, "1GiB"}, {3 << 29, "1536MiB"}, {1500, "1500B"}, {2000, "2KB"}}
	for _, tt := range tests {
		got := Exact(tt.in)
		if got != tt.want {
			t.Errorf("Exact(%d) = %q, want %q", tt.in, got, tt.want)
		}
		if back, err := ParseSize(got); err != nil || back != tt.in {
			t.Errorf("ParseSize(Exact(%d)) = %d, %v", tt.in, back, err)
		}
	}
}
