//go:build !linux

package watcher

// book is the inotify bookkeeping of open writers, which only Linux has;
// elsewhere there is never one, and every method of the nil book does
// nothing.
type book struct{}

// newBook reports no book and no error: there is none to have.
func newBook() (*book, error) { return nil, nil }

func (*book) add(string) error       { return nil }
func (*book) remove(string)          {}
func (*book) writingAt(string) bool  { return false }
func (*book) lostC() <-chan struct{} { return nil }
func (*book) err() error             { return nil }
func (*book) close()                 {}

// bookHelp is never needed without a book.
func bookHelp(error) string { return raiseSettle }
