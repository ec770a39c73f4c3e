package watcher

import (
	"fmt"

	"github.com/fsnotify/fsnotify"
)

// eventSource is the part of fsnotify the watcher uses. Tests wrap it to
// drop events or inject errors such as fsnotify.ErrEventOverflow.
type eventSource interface {
	Add(dir string) error    // watch one folder (not recursive)
	Remove(dir string) error // stop watching one folder
	Events() <-chan fsnotify.Event
	Errors() <-chan error
	Close() error
}

type fsnotifySource struct{ w *fsnotify.Watcher }

// eventBuffer is the size of fsnotify's event channel: it lets bursts (a
// folder of thumbnails landing at once) queue while a scan runs.
const eventBuffer = 4096

func newFSNotify() (eventSource, error) {
	w, err := fsnotify.NewBufferedWatcher(eventBuffer)
	if err != nil {
		return nil, fmt.Errorf("start fsnotify: %w", err)
	}
	return fsnotifySource{w}, nil
}

func (s fsnotifySource) Add(dir string) error          { return s.w.Add(dir) }
func (s fsnotifySource) Remove(dir string) error       { return s.w.Remove(dir) }
func (s fsnotifySource) Events() <-chan fsnotify.Event { return s.w.Events }
func (s fsnotifySource) Errors() <-chan error          { return s.w.Errors }
func (s fsnotifySource) Close() error                  { return s.w.Close() }
