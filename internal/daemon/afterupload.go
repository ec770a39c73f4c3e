package daemon

import (
	"context"
	"os"

	"github.com/odailies/odailies-uploader/internal/afterupload"
	"github.com/odailies/odailies-uploader/internal/config"
	"github.com/odailies/odailies-uploader/queue"
	"github.com/odailies/odailies-uploader/uploader"
)

// HoldActionsEnv is a test hook, for the end-to-end tests only: set (to
// anything), the daemon holds every after-upload action until it stops,
// so a test can kill it between the upload and the action. Nothing sets
// it in a service; the daemon warns when it is set.
const HoldActionsEnv = "ODAILIES_UPLOADER_TESTHOOK_HOLD_ACTIONS"

// actionOf is watch.after_upload as the queue records it.
func actionOf(s string) queue.Action {
	switch s {
	case config.AfterUploadMove:
		return queue.ActionMove
	case config.AfterUploadDelete:
		return queue.ActionDelete
	}
	return queue.ActionKeep
}

// buildActor makes the show's after-upload Actor and returns the queue as
// the uploader must see it: Done asks for the action when the delivery
// allows it.
func (d *Daemon) buildActor() uploader.Jobs {
	w := d.cfg.Watch
	o := afterupload.Options{
		Root: w.Root, Action: actionOf(w.AfterUpload), Dir: w.AfterUploadDir,
		Forget: d.watcher.Forget, Logger: d.log.With("component", "afterupload"),
	}
	if os.Getenv(HoldActionsEnv) != "" {
		d.log.Warn("test hook set: after-upload actions are held until the daemon stops", "env", HoldActionsEnv)
		o.Hold = func(ctx context.Context) { <-ctx.Done() }
	}
	d.actor = afterupload.New(d.queue, o)
	return &actingJobs{Queue: d.queue, action: o.Action, kick: d.actor.Kick}
}

// actingJobs is the queue with the show's after-upload action added to
// each Done, pending in the same commit (queue.Delivery.Then).
type actingJobs struct {
	*queue.Queue
	action queue.Action
	kick   func()
}

var _ uploader.Jobs = (*actingJobs)(nil)

// Done records the upload and, after a verified one, the action: a move
// after any verification the config allows, a delete only after an MD5
// the storage checked (config refuses delete without upload.verify =
// "md5"; this holds even so). Without the file's identity nothing is
// asked: the action could not check the file.
func (j *actingJobs) Done(job queue.Job, dl queue.Delivery) error {
	if allowed(j.action, dl) && dl.FileID != [16]byte{} {
		dl.Then = j.action
	}
	err := j.Queue.Done(job, dl)
	if err == nil && dl.Then != queue.ActionKeep {
		j.kick()
	}
	return err
}

func allowed(a queue.Action, dl queue.Delivery) bool {
	switch a {
	case queue.ActionMove:
		return dl.Verified != ""
	case queue.ActionDelete:
		return dl.Verified == queue.VerifiedETag || dl.Verified == queue.VerifiedContentMD5
	}
	return false
}
