package odailies

import "time"

// SignedURL is where to PUT one file's bytes, and until when.
type SignedURL struct {
	URL       string    // secret: its query authorises the PUT; never log it unredacted
	ExpiresAt time.Time // on the server's clock
	// Skew is the server's clock minus the local clock when the answer
	// arrived, from its Date header; 0 when the header was missing.
	Skew time.Duration
}

// Remaining is how long the URL stays valid, judged on the server's clock.
func (s SignedURL) Remaining(now time.Time) time.Duration {
	return s.ExpiresAt.Sub(now.Add(s.Skew))
}
