//go:build !windows && !darwin

package config

// caseInsensitive: Linux file systems tell "A" from "a".
const caseInsensitive = false
