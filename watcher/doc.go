// Package watcher turns a root folder and its watched sub-folders into a
// stream of settled files: recursive fsnotify events, initial and periodic
// scans, settle detection, ignore rules and a polling mode for network
// shares. It knows nothing of HTTP or of the queue.
package watcher
