//go:build !linux && !darwin && !windows

package afterupload

func renameNoReplace(src, dst string) error { return linkRename(src, dst) }
