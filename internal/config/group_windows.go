package config

import "os"

// PackageUser is the user (and group) the Linux packages create for the
// service and name in the unit's User=.
const PackageUser = "odailies-uploader"

// serviceGroup is never consulted on Windows, where ACLs decide.
func serviceGroup(os.FileInfo, string) bool { return false }
