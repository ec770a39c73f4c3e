// Package packaging holds the service definitions and package recipes
// shared by the install command and the release packages: the systemd unit,
// the launchd LaunchDaemon plist, the nfpm recipe for .deb and .rpm, the
// maintainer scripts and the macOS and Windows install scripts.
//
// # One source for each service file
//
// [SystemdUnit] and [LaunchdPlist] render the embedded templates in
// templates/. The install command writes their output through
// kardianos/service, and the packages ship the same output, checked in as
// linux/odailies-uploader.service and darwin/odailies-uploader.plist; tests
// keep the checked-in files equal to what install writes for the packages'
// paths, so the two ways of installing never drift apart.
//
// # The Windows Installer package
//
// windows/odailies-uploader.wxs is built by release.sh with wixl (Debian's
// msitools) and finished with msibuild for what wixl 0.101 cannot say: the
// config's component NeverOverwrite and Permanent (installed only when
// missing, never replaced or removed), an inclusive upgrade row (a rebuild
// or a prerelease of the same numeric version upgrades in place), the data
// folder's ACL (MsiLockPermissionsEx: SYSTEM and Administrators) and, for
// arm64, the Arm64 platform. wixl has no ServiceConfig either: delayed
// start and restart on failure are set by the service itself on its first
// start (internal/service). check-msi.sh reads the tables back with
// msiinfo and asserts each promise; CI runs it on every build.
//
// # Caveats
//
// The rendered text is handed to kardianos/service as a custom template,
// which its own small engine executes again: output must not contain "{{".
// The command checks this before installing.
//
// The renderer is a few lines of placeholder substitution rather than
// text/template on purpose: text/template makes the linker keep every
// exported method in the binary, the size cost kardianos/service dropped
// text/template to avoid.
package packaging
