package uploader

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/odailies/odailies-uploader/internal/fileid"
	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/queue"
)

// maxResigns bounds how often one attempt signs again after storage
// refused a URL with 403.
const maxResigns = 3

// process runs one leased job to its outcome. stop ends when Run's context
// does; work ends StopGrace later and cuts what is still in flight.
func (u *Uploader) process(stop, work context.Context, job queue.Job) outcome {
	local, err := u.localPath(job)
	if err != nil {
		return fail(err.Error(), pathHint(err))
	}
	f, o, ok := u.open(local, job)
	if !ok {
		return o
	}
	defer f.Close()
	u.sums.wake() // the next jobs can be hashed now
	defer u.sums.drop(keyOf(job.Item), nil)
	prog := u.stats.start(job.Path, job.Size)
	defer u.stats.end(prog)
	o = u.verified(stop, work, job, f, prog, local)
	if o.verdict == verdictDone {
		// The identity of the file read, for an after-upload action to
		// check that it acts on this very file (queue.Delivery.FileID).
		if id, _, ok, err := fileid.Of(f); err == nil && ok {
			copy(o.delivery.FileID[:], id.Bytes())
		}
	}
	if o.verdict == verdictDone || o.verdict == verdictRetry {
		// Whatever was sent, a file that changed meanwhile must go again.
		if c, ok := u.restat(local, job); ok {
			return c
		}
	}
	return o
}

// verified sends the file until the storage has it as the file holds it:
// with the digest of the file (digestFor), sent again after each send the
// storage received damaged (verify.go), at most maxDamaged times; then
// the job fails naming the damage. A file whose size or mtime moved
// meanwhile is Changed, not damaged: it was the file, not the network.
func (u *Uploader) verified(stop, work context.Context, job queue.Job, f *os.File, prog *progress, local string) outcome {
	if u.o.Verify == VerifyNone {
		mem, o, ok := u.memFor(job, f, false)
		if !ok {
			return o
		}
		o, dmg := u.send(stop, work, job, f, prog, nil, mem)
		mem.release()
		if dmg != nil { // refused a digest it was not sent: nothing to resend
			return fail(dmg.Error(), hintStorage)
		}
		return o
	}
	var damaged []*damageError
	for {
		// A small file is read into memory and hashed there: the digest
		// is of the very bytes sent (membody.go). Any other is hashed
		// ahead or now, and streamed.
		mem, o, ok := u.memFor(job, f, true)
		if !ok {
			return o
		}
		var sum digest
		if mem != nil {
			sum = mem.sum
		} else if sum, o, ok = u.digestFor(stop, job, f, len(damaged) > 0); !ok {
			return o
		}
		o, dmg := u.send(stop, work, job, f, prog, &sum, mem)
		mem.release()
		if dmg == nil {
			return o
		}
		if c, ok := u.restat(local, job); ok {
			return c
		}
		damaged = append(damaged, dmg)
		if len(damaged) == maxDamaged {
			return fail(damagedText(damaged), damagedHint(damaged))
		}
		u.log.Warn("upload arrived damaged; reading the file again and sending it again", "path", job.Path,
			"send", len(damaged), "of", maxDamaged, "why", dmg.Error())
	}
}

// send signs and PUTs until the attempt has an outcome: at most
// 1+maxResigns PUTs, re-signing after each 403 from storage. A send the
// storage received damaged ends it with that damage instead (and no
// outcome): verified decides.
func (u *Uploader) send(stop, work context.Context, job queue.Job, f *os.File, prog *progress, sum *digest, mem *memBody) (outcome, *damageError) {
	for resigns := 0; ; resigns++ {
		if stop.Err() != nil {
			return release("stopping"), nil
		}
		su, o, ok := u.signed(stop, job) // a sign after the stop is of no use: no PUT follows
		if !ok {
			return o, nil
		}
		if stop.Err() != nil {
			return release("stopping"), nil // no new PUT after the stop
		}
		if err := u.checkSignedURL(su.URL); err != nil {
			text := fmt.Sprintf("PUT %s: %v", job.Path, err)
			u.noteFailure(text)
			return fail(text, hintInsecure), nil
		}
		d, err := u.put(work, job, f, su, prog, sum, mem)
		if err == nil {
			return done(d), nil
		}
		if work.Err() != nil {
			return release("stopped during the upload"), nil
		}
		u.noteFailure(putText(job.Path, err))
		var dmg *damageError
		if errors.As(err, &dmg) {
			return outcome{}, dmg
		}
		if odailies.StatusCode(err) != http.StatusForbidden {
			return u.putFailed(job, err), nil
		}
		u.urls.forget(job.ID)
		if resigns == maxResigns {
			return fail(fmt.Sprintf("storage refused %d freshly signed URLs: %v", maxResigns+1, err), hintRetry), nil
		}
	}
}

// signed returns a URL for the job: the cached one while it has life
// left, else a new one, unless signing is paused for the pool. ctx is the
// stop: a sign request in flight is cut at once when Run's context ends.
func (u *Uploader) signed(ctx context.Context, job queue.Job) (odailies.SignedURL, outcome, bool) {
	if su, ok := u.urls.get(job.ID, job.Path, u.o.Now(), u.o.MinURLLife); ok {
		return su, outcome{}, true
	}
	if su, ok := u.ahead.take(ctx, job, u.o.Now, u.o.MinURLLife); ok {
		u.urls.put(job.ID, job.Path, su, u.o.Now())
		return su, outcome{}, true
	}
	if ctx.Err() != nil {
		return odailies.SignedURL{}, release("stopped while signing"), false
	}
	if !u.gate.open() {
		return odailies.SignedURL{}, release("signing on hold for the pool"), false
	}
	su, err := u.signer.SignUpload(ctx, job.Path)
	if ctx.Err() != nil {
		return su, release("stopped while signing"), false
	}
	u.gate.report(probeJob{id: job.ID, path: job.Path}, err)
	if err != nil {
		return su, u.signFailed(job, err), false
	}
	u.ahead.learn(su, u.o.Now())
	u.urls.put(job.ID, job.Path, su, u.o.Now())
	return su, outcome{}, true
}

// signFailed sorts a sign error: problems of the whole pool put the job
// back untouched (the gate holds signing), the rest are the job's.
func (u *Uploader) signFailed(job queue.Job, err error) outcome {
	err = fmt.Errorf("sign: %w", err)
	switch {
	case odailies.IsAuth(err), odailies.IsNotFound(err), odailies.IsSlowDown(err), isNetwork(err):
		return release(err.Error())
	case odailies.IsTransient(err):
		return u.transient(job, err)
	}
	return fail(err.Error(), hintRetry)
}

// putFailed sorts a PUT error other than 403.
func (u *Uploader) putFailed(job queue.Job, err error) outcome {
	switch {
	case isPermanentPut(err):
		return fail(err.Error(), hintStorage)
	case odailies.IsSlowDown(err):
		return u.slowDown(job, err)
	case odailies.IsTransient(err):
		return u.transient(job, err)
	}
	return fail(err.Error(), hintRetry)
}
