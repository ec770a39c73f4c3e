package uploader

import (
	"testing"
)

// TestHealthValues: the values status.json shows never change, and only
// the states a person must fix block.
func TestHealthValues(t *testing.T) {
	tests := []struct {
		h        Health
		value    string
		blocking bool
	}{
		{HealthOK, "ok", false},
		{HealthAuth, "auth-error", true},
		{HealthNotFound, "not-found", true},
		{HealthOffline, "offline", false},
		{HealthSlowDown, "slow-down", false},
	}
	for _, tc := range tests {
		if string(tc.h) != tc.value || tc.h.Blocking() != tc.blocking {
			t.Errorf("%q: Blocking %v, want %q, %v", tc.h, tc.h.Blocking(), tc.value, tc.blocking)
		}
	}
}
