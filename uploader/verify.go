package uploader

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/odailies/odailies-uploader/queue"
)

// Verified delivery (behaviour 13). Every PUT carries Content-MD5, the
// digest of the file's bytes, unless Options.Verify is VerifyNone. Storage
// that checks it (S3, Google Cloud Storage, Azure, versitygw) refuses a
// body that does not match with 400 BadDigest, so a byte flipped on the
// way (a bad network card, a middlebox, a flaky RAID read) is never
// stored. After a 2xx the ETag is compared too when it is a plain MD5
// (32 hex digits: a single PUT on S3-style storage).

// Options.Verify values.
const (
	VerifyMD5  = "md5"  // the default: Content-MD5 on every PUT, the ETag compared
	VerifyNone = "none" // no digest: for storage that refuses the header
)

// maxDamaged bounds the sends of one attempt whose bytes the storage
// received damaged (BadDigest, InvalidDigest, an ETag that is not the
// MD5): each is re-read from the file and sent again at once, and the
// last one fails the job naming the damage. No backoff: damage on the
// way is random, and the next send usually arrives whole.
const maxDamaged = 3

// hintDamage is the fix offered when every send arrived damaged.
const hintDamage = "check the network card, cables, proxy or VPN between this machine and the storage, " +
	"and the disk the file is read from; then run 'odailies-uploader retry'"

// hintInvalidDigest is the fix offered when the storage refused the
// Content-MD5 header itself on every send.
const hintInvalidDigest = "if the storage refuses Content-MD5 on every upload, set upload.verify = \"none\" " +
	"(uploads are then not verified); then run 'odailies-uploader retry'"

// damageError is a send whose bytes the storage did not receive as the
// file holds them, by its own check (code BadDigest or InvalidDigest) or
// by the ETag it answered.
type damageError struct {
	code string // "BadDigest", "InvalidDigest" or "ETag"
	err  error  // the storage's answer
}

func (e *damageError) Error() string { return e.err.Error() }
func (e *damageError) Unwrap() error { return e.err }

// digestRefusal returns the damage a 400 answer reports (its XML error
// code BadDigest or InvalidDigest), or nil. It reads at most 4 KiB of the
// body and puts them back, so the error built after it still quotes them.
func digestRefusal(resp *http.Response, err func() error) error {
	if resp.StatusCode != http.StatusBadRequest || resp.Body == nil {
		return nil
	}
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(head), resp.Body))
	var x struct {
		Code string `xml:"Code"`
	}
	if xml.Unmarshal(head, &x) != nil {
		return nil
	}
	switch x.Code {
	case "BadDigest", "InvalidDigest":
		return &damageError{code: x.Code, err: err()}
	}
	return nil
}

// plainMD5 reports whether an ETag (quotes removed) is a plain MD5: 32 hex
// digits. A multipart-style "…-3", an Azure "0x8D…", or none is not.
func plainMD5(etag string) bool {
	if len(etag) != 32 {
		return false
	}
	for _, c := range etag {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// cleanETag takes the quotes (and a weak marker) off an ETag header.
func cleanETag(v string) string {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(v, "W/")
	return strings.Trim(v, `"`)
}

// encryptedETag reports an answer whose ETag is no MD5 of the bytes even
// when it looks like one: S3 objects encrypted with SSE-KMS or SSE-C.
func encryptedETag(h http.Header) bool {
	return h.Get("X-Amz-Server-Side-Encryption") == "aws:kms" ||
		h.Get("X-Amz-Server-Side-Encryption") == "aws:kms:dsse" ||
		h.Get("X-Amz-Server-Side-Encryption-Customer-Algorithm") != ""
}

// delivery judges a 2xx's ETag against the digest sent (nil: none was
// sent) and returns what the upload proved, or a *damageError when the
// ETag is a plain MD5 of other bytes.
func delivery(h http.Header, sum *digest, path string) (queue.Delivery, error) {
	etag := cleanETag(h.Get("ETag"))
	d := queue.Delivery{ETag: etag, Verified: queue.VerifiedNone}
	if sum == nil {
		return d, nil
	}
	d.MD5 = sum.hex()
	if !plainMD5(etag) || encryptedETag(h) {
		d.Verified = queue.VerifiedContentMD5
		return d, nil
	}
	if !strings.EqualFold(etag, d.MD5) {
		return d, &damageError{code: "ETag", err: fmt.Errorf("PUT %s: the storage's ETag %s is not the MD5 %s of the file", path, etag, d.MD5)}
	}
	d.ETag, d.Verified = d.MD5, queue.VerifiedETag
	return d, nil
}

// verifiedText says in the log line of a finished upload how it was
// verified.
func verifiedText(d queue.Delivery) string {
	switch d.Verified {
	case queue.VerifiedETag:
		return "md5 " + d.MD5 + " checked by the storage, ETag equal"
	case queue.VerifiedContentMD5:
		return "md5 " + d.MD5 + " checked by the storage"
	}
	return "no (upload.verify = \"none\")"
}

// damagedText is the reason of a job whose every send arrived damaged.
func damagedText(errs []*damageError) string {
	last := errs[len(errs)-1]
	if last.code == "InvalidDigest" {
		return fmt.Sprintf("the storage refused the Content-MD5 header %d times: %v", len(errs), last)
	}
	return fmt.Sprintf("the storage received different bytes than the file holds %d times: "+
		"a bad network card, proxy or disk read may be damaging uploads (last: %v)", len(errs), last)
}

func damagedHint(errs []*damageError) string {
	if errs[len(errs)-1].code == "InvalidDigest" {
		return hintInvalidDigest
	}
	return hintDamage
}
