//go:build linux

package main

// The bare loop: the limit the daemon is measured against. It signs each
// file's URL (through the fake API, as the daemon does, or by presigning
// itself: local-sign) and PUTs the file with the same number of workers on
// keep-alive connections, with or without Content-MD5, and nothing else:
// no queue, no watcher, no log.

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/odailies/odailies-uploader/odailies"
)

// bare runs this program as `benchsync bare` over a list of the tree's
// files.
func (b *bench) bare(t *tree, prefix string, withMD5 bool) (usage, error) {
	return b.bareWith(t, prefix, withMD5, true)
}

// bareWith runs the bare loop; viaAPI: its URLs come from the fake API,
// else it presigns them itself.
func (b *bench) bareWith(t *tree, prefix string, withMD5, viaAPI bool) (usage, error) {
	list := filepath.Join(b.dir, "bare.list")
	var sb strings.Builder
	for _, f := range t.files {
		fmt.Fprintf(&sb, "%d %s\n", f.size, f.rel)
	}
	if err := os.WriteFile(list, []byte(sb.String()), 0o600); err != nil {
		return usage{}, err
	}
	self, err := os.Executable()
	if err != nil {
		return usage{}, err
	}
	args := []string{"bare", "-endpoint", b.endpoint, "-root", t.root, "-prefix", prefix, "-list", list}
	if withMD5 {
		args = append(args, "-md5")
	}
	if viaAPI {
		args = append(args, "-api", b.api.URL())
	}
	args = append(append(strings.Fields(b.wrapBare), self), args...)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = childEnv()
	return run(cmd)
}

func bareMain(args []string) error {
	fs := flag.NewFlagSet("bare", flag.ContinueOnError)
	endpoint := fs.String("endpoint", "", "S3 endpoint")
	root := fs.String("root", "", "local root")
	prefix := fs.String("prefix", "", "key prefix")
	list := fs.String("list", "", "file of 'size rel' lines")
	withMD5 := fs.Bool("md5", false, "read each file first and send Content-MD5")
	apiURL := fs.String("api", "", "sign through this oDailies API (else presign locally)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, err := os.Open(*list)
	if err != nil {
		return err
	}
	var files []file
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var fl file
		if _, err := fmt.Sscanf(sc.Text(), "%d %s", &fl.size, &fl.rel); err != nil {
			return fmt.Errorf("%s: %w", *list, err)
		}
		files = append(files, fl)
	}
	f.Close()
	presign := s3.NewPresignClient(newS3Client(*endpoint))
	sign := func(key string) (string, error) { return presignPut(presign, key) }
	if *apiURL != "" {
		api, err := odailies.New(odailies.Options{BaseURL: *apiURL, ProjectID: project, Token: token})
		if err != nil {
			return err
		}
		sign = func(key string) (string, error) {
			rel := strings.TrimPrefix(key, *prefix+"/")
			su, err := api.SignUpload(context.Background(), rel)
			return su.URL, err
		}
	}
	hc := &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: workers + 1, DisableCompression: true,
		WriteBufferSize: 64 << 10, ReadBufferSize: 16 << 10,
	}}
	var next atomic.Int64
	errs := make(chan error, workers)
	for range workers {
		go func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(files) {
					errs <- nil
					return
				}
				if err := barePut(hc, sign, filepath.Join(*root, filepath.FromSlash(files[i].rel)),
					*prefix+"/"+files[i].rel, files[i].size, *withMD5); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var all []error
	for range workers {
		all = append(all, <-errs)
	}
	return errors.Join(slices.DeleteFunc(all, func(e error) bool { return e == nil })...)
}

func barePut(hc *http.Client, sign func(key string) (string, error), local, key string, size int64, withMD5 bool) error {
	u, err := sign(key)
	if err != nil {
		return err
	}
	f, err := os.Open(local)
	if err != nil {
		return err
	}
	defer f.Close()
	var sum string
	if withMD5 {
		h := md5.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		sum = base64.StdEncoding.EncodeToString(h.Sum(nil))
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
	}
	req, err := http.NewRequest(http.MethodPut, u, f)
	if err != nil {
		return err
	}
	req.ContentLength = size
	if sum != "" {
		req.Header.Set("Content-MD5", sum)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("PUT %s: %s", key, resp.Status)
	}
	return nil
}
