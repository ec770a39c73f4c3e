package uploader

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/odailies/odailies-uploader/odailies"
)

// Health is the state of signing for the whole pool, as Snapshot.Health
// reports it. The values are fixed: they appear in status.json as the
// daemon's state.
type Health string

// The values of Health.
const (
	HealthOK       Health = "ok"
	HealthAuth     Health = "auth-error" // 401/403 on signing: the token
	HealthNotFound Health = "not-found"  // 404 on signing: the project (or the base URL)
	HealthOffline  Health = "offline"    // the API cannot be reached, or fails (5xx)
	HealthSlowDown Health = "slow-down"  // the API asked for fewer requests
)

// Blocking reports the states that waiting will not fix: a refused token
// (auth-error) and an unknown project or base URL (not-found) need a
// person to change the token or the config. The pool keeps re-checking
// them every AuthRecheck, but a one-pass sync can stop at once. Offline
// and slow-down clear by themselves when the network or the API recovers.
func (h Health) Blocking() bool { return h == HealthAuth || h == HealthNotFound }

// classify names the pool-wide problem err shows for the sign request of
// rel, if any, with how long to hold signing, what the user should do
// about it, and whether only a successful probe may end the hold. An empty
// Health means the API answered and the problem, if any, is the file's.
func (g *gate) classify(rel string, err error) (health Health, wait time.Duration, detail string, mustProbe bool) {
	if health, wait, detail = g.pause(rel, err); health != "" {
		return health, wait, detail, true
	}
	if odailies.IsTransient(err) {
		// 5xx, 408, an answer that is not the API's: maybe only this
		// path; hold the pool a while, and the job takes a retry.
		g.fails++
		d := g.backoff(g.fails)
		return HealthOffline, d, fmt.Sprintf("%s is failing (%v); trying again in %s",
			g.api(rel, err), err, fmtDur(d)), false
	}
	return "", 0, "", false
}

// pause names the problems only a good probe clears.
func (g *gate) pause(rel string, err error) (health Health, wait time.Duration, detail string) {
	recheck := fmtDur(g.recheck)
	switch {
	case err == nil:
		return "", 0, ""
	case odailies.StatusCode(err) == 401:
		return HealthAuth, g.recheck, "the API does not accept the token from " + g.tokenSource() + " (401): " +
			"check it for typos or issue a new one; signing is re-checked every " + recheck
	case odailies.IsAuth(err):
		return HealthAuth, g.recheck, "the token from " + g.tokenSource() + " lacks the Upload permission, or project_id is wrong (403): " +
			"grant Upload to the token or fix project_id; signing is re-checked every " + recheck
	case odailies.IsNotFound(err):
		return HealthNotFound, g.recheck, fmt.Sprintf("%s does not know this project (404): check project_id and "+
			"api.base_url; signing is re-checked every %s", g.api(rel, err), recheck)
	case odailies.IsSlowDown(err):
		d, ok := odailies.RetryAfter(err)
		if !ok {
			g.fails++
			d = g.backoff(g.fails)
		}
		return HealthSlowDown, d, "the API asked for fewer requests; signing resumes in " + fmtDur(d)
	case isNetwork(err):
		g.fails++
		d := g.backoff(g.fails)
		return HealthOffline, d, fmt.Sprintf("%s cannot be reached (%s): check the network, proxy "+
			"and api.base_url; trying again in %s", g.api(rel, err), networkCause(err), fmtDur(d))
	}
	return "", 0, ""
}

// api names the API for a person: "the oDailies API at <base URL>", with
// the base from Options.APIBaseURL or read from err's request URL.
func (g *gate) api(rel string, err error) string {
	if base := apiBase(rel, err, g.base); base != "" {
		return "the oDailies API at " + base
	}
	return "the oDailies API"
}

// isNetwork reports errors that say nothing about the file: the API could
// not be reached at all.
func isNetwork(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && odailies.StatusCode(err) == 0
}

func (g *gate) setHealth(health Health, detail string) {
	if g.health == health {
		g.detail = detail
		return
	}
	g.health, g.detail = health, detail
	if g.show != "" { // one show of several: the others go on
		if health == HealthOK {
			g.log.Info(fmt.Sprintf("signing works again for show %q; its uploads resume", g.show))
			return
		}
		g.log.Warn(fmt.Sprintf("signing paused for show %q; the other shows go on", g.show), "health", string(health), "why", detail)
		return
	}
	if health == HealthOK {
		g.log.Info("signing works again; uploads resume")
		return
	}
	g.log.Warn("signing paused for all uploads", "health", string(health), "why", detail)
}

// tokenSource names where the token came from.
func (g *gate) tokenSource() string {
	if g.source == "" {
		return "api.token"
	}
	return g.source
}
