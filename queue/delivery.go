package queue

import (
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Verification says how the storage confirmed that the bytes it kept are
// the bytes of the file.
type Verification string

const (
	// VerifiedETag: the storage checked the Content-MD5 sent with the
	// body, and the ETag it answered equals that MD5.
	VerifiedETag Verification = "md5+etag"
	// VerifiedContentMD5: the storage checked the Content-MD5; its ETag
	// was not a plain MD5 (multipart-style "…-3", or none) to compare.
	VerifiedContentMD5 Verification = "md5"
	// VerifiedNone: sent without a digest (upload.verify = "none"): the
	// storage confirmed nothing beyond its 2xx.
	VerifiedNone Verification = "none"
	// "" (no constant): a done record written before verification
	// existed, by an older uploader.
)

// Delivery is what an upload's answer proved, recorded with its Done.
type Delivery struct {
	MD5        string       // 32 lowercase hex of the bytes sent; "" with VerifiedNone when not computed
	ETag       string       // as the storage returned it, quotes removed
	Verified   Verification // how the storage confirmed the bytes
	UploadedAt time.Time    // when the upload finished; zero: the queue's clock at Done

	// Then is the after-upload action Done records as pending in the same
	// commit (action.go); ActionKeep records none. FileID is the identity
	// of the file the upload read (internal/fileid's ID.Bytes), which an
	// action needs to check the file is still that one; all zero: unknown.
	Then   Action
	FileID [16]byte
}

// Delivered is a done file and its delivery, as the report lists it.
// Delivery.Then is the after-upload action asked for (ActionKeep: none);
// the Act fields say where it is (FileID is left zero).
type Delivered struct {
	Path    string
	Size    int64
	ModTime time.Time
	Delivery
	ActState  ActState  // 0 with ActionKeep
	ActAt     time.Time // when the action reached ActState; zero while pending
	ActDest   string    // ActDone of a move: where the file is now (relative to the root with "/", or absolute)
	ActReason string    // ActFailed, ActSkipped: why
}

// VerifiedCounts are the Done jobs by Verification.
type VerifiedCounts struct {
	ETag       int // VerifiedETag
	ContentMD5 int // VerifiedContentMD5
	None       int // VerifiedNone
	Unknown    int // "": uploaded before verification existed
}

// ErrDelivery wraps a Delivery that Done refuses: it would record a claim
// the fields do not support.
var ErrDelivery = errors.New("queue: invalid delivery")

// Done records that j was uploaded, with what its answer proved. The
// delivery is checked: MD5 is "" or 32 hex digits (stored lowercase), and
// required unless Verified is VerifiedNone; VerifiedETag needs ETag to
// equal MD5 (case aside); Verified is one of the constants. A delivery
// that fails these is refused with ErrDelivery and the lease still holds.
func (q *Queue) Done(j Job, d Delivery) error {
	s, err := storeDelivery(d)
	if err == nil && d.Then != ActionKeep && (d.Then >= actionLimit || d.FileID == [16]byte{}) {
		err = fmt.Errorf("%w: after-upload action %d needs a known action and the file's identity", ErrDelivery, d.Then)
	}
	if err != nil {
		return fmt.Errorf("done %s: %w", j.Path, err)
	}
	return q.finish(j, func(e *entry, now time.Time) []mutation {
		e.setNotBefore(time.Time{})
		q.setState(e, Done, now)
		if !d.UploadedAt.IsZero() {
			e.At = canonical(d.UploadedAt)
		}
		q.setDelivery(e, s)
		q.setThen(e, d.Then, d.FileID)
		return []mutation{putJob(e)}
	})
}

// storeDelivery checks d and converts it to its stored form.
func storeDelivery(d Delivery) (storedDelivery, error) {
	var s storedDelivery
	code, ok := codeOf(d.Verified)
	if !ok || code == codeUnknown {
		return s, fmt.Errorf("%w: verified %q is not one of %q, %q, %q", ErrDelivery, d.Verified,
			VerifiedETag, VerifiedContentMD5, VerifiedNone)
	}
	s.verified = code
	if d.MD5 != "" {
		if len(d.MD5) != hex.EncodedLen(len(s.md5)) {
			return storedDelivery{}, fmt.Errorf("%w: md5 %q is not 32 hex digits", ErrDelivery, d.MD5)
		}
		if _, err := hex.Decode(s.md5[:], []byte(d.MD5)); err != nil {
			return storedDelivery{}, fmt.Errorf("%w: md5 %q is not 32 hex digits", ErrDelivery, d.MD5)
		}
		s.hasMD5 = true
	}
	switch {
	case !s.hasMD5 && code != codeNone:
		return storedDelivery{}, fmt.Errorf("%w: verified %q without an md5", ErrDelivery, d.Verified)
	case code == codeETag && !strings.EqualFold(d.ETag, d.MD5):
		return storedDelivery{}, fmt.Errorf("%w: verified %q but etag %q is not md5 %s", ErrDelivery, d.Verified, d.ETag, d.MD5)
	case code != codeETag:
		s.etag = d.ETag
	}
	return s, nil
}

// setDelivery sets e's delivery, keeping the counts. q.mu held.
func (q *Queue) setDelivery(e *entry, s storedDelivery) {
	q.account(e, -1)
	e.setDelivery(s)
	q.account(e, 1)
}

// delivered is e's record as the report shows it.
func (e *entry) delivered() Delivered {
	s := e.delivery()
	d := Delivered{Path: e.Path, Size: e.Size, ModTime: e.ModTime, Delivery: Delivery{
		ETag: s.etag, Verified: s.verified.verification(), UploadedAt: e.At,
	}}
	if s.hasMD5 {
		d.MD5 = hex.EncodeToString(s.md5[:])
	}
	if s.verified == codeETag {
		d.ETag = d.MD5
	}
	if a := e.act(); a != nil {
		d.Then, d.ActState, d.ActAt, d.ActDest = a.action, a.state, a.at, a.dest
		if a.state == ActFailed || a.state == ActSkipped {
			d.ActReason = e.lastError()
		}
	}
	return d
}

// Delivered lists the done records, in path order, uploaded at or after
// since (zero: all) whose path has the prefix ("": all). A record written
// before verification existed has Verified "", no MD5 or ETag, and as
// UploadedAt the time it was recorded done. A done record whose file the
// last scans did not find (Counts.Missing) is listed: it was delivered.
func (q *Queue) Delivered(since time.Time, prefix string) ([]Delivered, error) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil, ErrClosed
	}
	var out []Delivered
	for p, e := range q.byPath {
		if e.State == Done && strings.HasPrefix(p, prefix) && !e.At.Before(since) {
			out = append(out, e.delivered())
		}
	}
	q.mu.Unlock()
	slices.SortFunc(out, func(a, b Delivered) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// add adds (sign 1) or removes (sign -1) the share of a Done entry
// verified by code.
func (c *VerifiedCounts) add(code verifiedCode, sign int) {
	switch code {
	case codeETag:
		c.ETag += sign
	case codeMD5:
		c.ContentMD5 += sign
	case codeNone:
		c.None += sign
	default:
		c.Unknown += sign
	}
}
