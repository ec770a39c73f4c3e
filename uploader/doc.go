// Package uploader is the bounded worker pool that takes jobs from the
// queue, asks for signed URLs and PUTs each file's bytes there, retrying by
// error class before the URL expires.
package uploader
