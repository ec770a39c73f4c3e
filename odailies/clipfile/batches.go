package clipfile

import "github.com/odailies/odailies-uploader/odailies"

// Batches cuts clips into requests of at most n items each.
func Batches(clips []odailies.Clip, n int) [][]odailies.Clip {
	var batches [][]odailies.Clip
	for len(clips) > n {
		batches = append(batches, clips[:n:n])
		clips = clips[n:]
	}
	return append(batches, clips)
}
