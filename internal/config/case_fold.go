//go:build windows || darwin

package config

// caseInsensitive: NTFS and APFS (by default) do not tell "A" from "a".
const caseInsensitive = true
