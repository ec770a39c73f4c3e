package service

import (
	"slices"
	"testing"
)

func TestPlanSettings(t *testing.T) {
	tests := []struct {
		name string
		cur  winSettings
		want winPlan
	}{
		{"fresh from the MSI", winSettings{automatic: true}, winPlan{setRecovery: true, setDelayed: true}},
		{"already delayed", winSettings{automatic: true, delayed: true}, winPlan{setRecovery: true}},
		{"manual start kept", winSettings{}, winPlan{setRecovery: true}},
		{"install or an admin set recovery", winSettings{automatic: true, actions: 1}, winPlan{}},
		{"completed on an earlier start", winSettings{automatic: true, delayed: true, actions: 3}, winPlan{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := planSettings(tt.cur); got != tt.want {
				t.Errorf("planSettings(%+v) = %+v, want %+v", tt.cur, got, tt.want)
			}
		})
	}
}

func TestPlanChanges(t *testing.T) {
	got := winPlan{setRecovery: true, setDelayed: true}.changes()
	want := []string{"restart 10s after a failure", "delayed automatic start"}
	if !slices.Equal(got, want) {
		t.Errorf("changes = %q, want %q", got, want)
	}
	if got := (winPlan{}).changes(); len(got) != 0 {
		t.Errorf("zero plan changes %q", got)
	}
}

// The delay the service sets is the one install asks kardianos for.
func TestRecoveryMatchesInstall(t *testing.T) {
	opts := serviceOptions()
	if opts["OnFailureDelayDuration"] != recoveryDelay.String() {
		t.Errorf("install's OnFailureDelayDuration %v, the service sets %v", opts["OnFailureDelayDuration"], recoveryDelay)
	}
	if opts["OnFailureResetPeriod"] != recoveryResetPeriod {
		t.Errorf("install's OnFailureResetPeriod %v, the service sets %v", opts["OnFailureResetPeriod"], recoveryResetPeriod)
	}
}
