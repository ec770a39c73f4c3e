//go:build !windows

package service

// completeSettings has nothing to do outside Windows: the systemd unit and
// the launchd plist carry their restart settings themselves.
func completeSettings(string) ([]string, error) { return nil, nil }
