// Package packaging holds the service definitions and package recipes
// (systemd unit, launchd plist, Windows scripts, nfpm) shared by the
// install command and the release packages.
package packaging
