//go:build linux

// Command benchsync measures the daemon as a whole process (the built
// binary's `sync`, start to exit) against a bare sign+PUT loop, rclone copy
// and a curl loop, all on one versitygw in the same run, and prints wall
// and CPU times (user+sys, from each process's wait4 rusage), ratios to the
// bare loop, peak RSS figures and the restart time, with the budgets of
// DESIGN.md "Budgets". scripts/bench-sync.sh builds it and runs it; it is
// no part of the product binary.
//
// Every contender is a child process, so its CPU is its own: the fake
// oDailies API that signs the daemon's URLs runs in this process, and the
// bare loop is this program started again as `benchsync bare`.
//
// The bare loop is the limit for the job's shape: 4 workers, each asking
// the same fake API for a file's signed URL (as the daemon must: it holds
// no storage keys) and PUTting it over one keep-alive transport, nothing
// else; bare-md5 also reads each file once to send its Content-MD5, the
// fair limit once the daemon verifies. local-sign presigns in the loop
// itself with no API call: shown for information, it is not a loop the
// daemon could be (its URLs come from the API), so no budget uses it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/odailies/odailies-uploader/odailies/odailiestest"
)

const (
	workers   = 4
	accessKey = "benchaccess"
	secretKey = "benchsecret0123456789"
	bucket    = "dailies"
	project   = "bench"
	token     = "bench-token-0123456789abcdef"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("benchsync: ")
	if len(os.Args) > 1 && os.Args[1] == "bare" {
		if err := bareMain(os.Args[2:]); err != nil {
			log.Fatal(err)
		}
		return
	}
	if err := benchMain(os.Args[1:]); err != nil {
		log.Fatal(err)
	}
}

// ---- the bench ----

type bench struct {
	bin      string // the daemon binary
	base     string // another build of it, run as "sync-base" beside "sync" (before and after)
	vgw      string
	dir      string // work folder under /tmp (versitygw keeps xattrs)
	scheme   string
	cert     string
	key      string
	ca       string
	count    int
	who      string
	wrap     string
	wrapBare string
	each     bool // print every run, not only the best of each
	endpoint string
	s3dir    string
	vgwPID   int // versitygw, for its CPU time (serverCPU)
	client   *s3.Client
	presign  *s3.PresignClient
	api      *odailiestest.Server

	mu     sync.Mutex
	prefix string // where the fake API's URLs point now
	seq    int
}

type tree struct {
	name  string
	root  string
	files []file
}

type file struct {
	rel  string // slash-separated, under the root
	size int64
}

// usage is one finished child process.
type usage struct {
	wall   time.Duration
	cpu    time.Duration // user + sys
	srv    time.Duration // the storage's CPU meanwhile (serverCPU)
	rssKiB int64
}

func benchMain(args []string) error {
	fs := flag.NewFlagSet("benchsync", flag.ContinueOnError)
	b := &bench{}
	fs.StringVar(&b.bin, "bin", "", "the odailies-uploader binary to measure (required)")
	fs.StringVar(&b.base, "base", "", "another build to run as sync-base in the small and large sets, interleaved with sync (a change measured before and after in one run)")
	fs.StringVar(&b.vgw, "versitygw", "versitygw", "the versitygw binary")
	fs.StringVar(&b.dir, "dir", "", "work folder, under /tmp (required)")
	fs.StringVar(&b.scheme, "scheme", "https", "https or http")
	fs.StringVar(&b.cert, "cert", "", "server certificate for 127.0.0.1 (https)")
	fs.StringVar(&b.key, "key", "", "its key (https)")
	fs.StringVar(&b.ca, "ca", "", "the test CA, for rclone's --ca-cert and curl (https)")
	fs.IntVar(&b.count, "count", 3, "rounds, each running every contender once; the table keeps the best of each, the budget lines the median of same-round ratios")
	fs.StringVar(&b.who, "contenders", "bare,bare-md5,local-sign,sync,sync-none,rclone,curl", "who runs in the small and large sets (bare is always run)")
	fs.StringVar(&b.wrap, "wrap", "", "a command prefix for the daemon's sync, for profiling (e.g. 'perf record -g -o /tmp/sync.perf --'); its figures then include the wrapper")
	fs.StringVar(&b.wrapBare, "wrap-bare", "", "a command prefix for the bare loop, as -wrap is for sync (to profile both alike)")
	fs.BoolVar(&b.each, "rounds", false, "print every run of the small and large sets (wall, CPU, storage CPU), not only the best")
	parts := fs.String("parts", "small,large,rss4g,rss20k,restart,rss100k", "what to measure, comma-separated")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if b.bin == "" || b.dir == "" {
		return errors.New("-bin and -dir are required")
	}
	if b.scheme == "https" && (b.cert == "" || b.key == "" || b.ca == "") {
		return errors.New("https needs -cert, -key and -ca")
	}
	for _, p := range []*string{&b.dir, &b.cert, &b.key, &b.ca, &b.bin, &b.base} {
		if *p != "" {
			abs, err := filepath.Abs(*p)
			if err != nil {
				return err
			}
			*p = abs
		}
	}
	want := map[string]bool{}
	for _, p := range strings.Split(*parts, ",") {
		want[strings.TrimSpace(p)] = true
	}
	stop, err := b.startS3()
	if err != nil {
		return err
	}
	defer stop()
	api, err := odailiestest.Start("127.0.0.1:0", odailiestest.Options{
		ProjectID: project,
		Tokens:    map[string]odailiestest.Perm{token: odailiestest.Upload},
		Dir:       filepath.Join(b.dir, "fake-storage"),
		Presign:   b.sign,
	})
	if err != nil {
		return fmt.Errorf("start the fake API: %w", err)
	}
	defer api.Close()
	b.api = api
	fmt.Printf("# benchsync: %s, versitygw %s, %d workers, best of %d; %s\n",
		b.scheme, b.endpoint, workers, b.count, loadAvg())

	// The sets every contender runs, in the same rounds. tiny (one file)
	// is what every run pays whatever its size (start, open, scan, the
	// end), to read beside small; it has no budget.
	sets := []struct {
		name, title        string
		n                  int
		size               int64
		wallBudget, cpuMax float64 // 0: none
		beatRclone         bool
	}{
		{"tiny", "tiny: 1 x 64 KiB", 1, 64 << 10, 0, 0, false},
		{"small", "small: 1,500 x 64 KiB", 1500, 64 << 10, 1.05, 1.5, true},
		{"large", "large: 3 x 256 MiB", 3, 256 << 20, 1.03, 0, false},
	}
	for _, set := range sets {
		if !want[set.name] {
			continue
		}
		t, err := b.makeTree(set.name, set.n, set.size, 1)
		if err != nil {
			return err
		}
		if err := b.compare(t, set.title, set.wallBudget, set.cpuMax, set.beatRclone); err != nil {
			return err
		}
		os.RemoveAll(t.root)
	}
	if want["rss4g"] {
		if err := b.rss4G(); err != nil {
			return err
		}
	}
	if want["rss20k"] || want["restart"] {
		t, err := b.makeTree("many20k", 20000, 1<<10, 500)
		if err != nil {
			return err
		}
		cfg, u, err := b.firstSync(t)
		if err != nil {
			return err
		}
		fmt.Printf("20k first sync (20,000 x 1 KiB): wall %.2fs cpu %.2fs peak RSS %.1f MiB (budget 40 MiB: %s)\n",
			u.wall.Seconds(), u.cpu.Seconds(), mib(u.rssKiB), okOver(mib(u.rssKiB) < 40))
		if want["restart"] {
			if err := b.restart(cfg); err != nil {
				return err
			}
		}
		b.dropPrefix()
		os.RemoveAll(t.root)
	}
	if want["rss100k"] {
		t, err := b.makeTree("many100k", 100000, 1<<10, 500)
		if err != nil {
			return err
		}
		_, u, err := b.firstSync(t)
		if err != nil {
			return err
		}
		fmt.Printf("100k first sync (100,000 x 1 KiB): wall %.2fs cpu %.2fs peak RSS %.1f MiB (budget 96 MiB: %s)\n",
			u.wall.Seconds(), u.cpu.Seconds(), mib(u.rssKiB), okOver(mib(u.rssKiB) < 96))
		b.dropPrefix()
		os.RemoveAll(t.root)
	}
	return nil
}

func mib(kib int64) float64 { return float64(kib) / 1024 }

func okOver(ok bool) string {
	if ok {
		return "ok"
	}
	return "OVER"
}

func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "load unknown"
	}
	f := strings.Fields(string(data))
	return "load " + strings.Join(f[:3], " ")
}

// ---- S3 ----

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startS3 runs versitygw with its posix backend under b.dir and creates
// the bucket through the SDK, path-style, us-east-1.
func (b *bench) startS3() (stop func(), err error) {
	b.s3dir = filepath.Join(b.dir, "s3")
	if err := os.MkdirAll(b.s3dir, 0o755); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args := []string{"--port", addr, "--access", accessKey, "--secret", secretKey, "--quiet", "--keep-alive"}
	if b.scheme == "https" {
		args = append(args, "--cert", b.cert, "--key", b.key)
	}
	args = append(args, "posix", b.s3dir)
	cmd := exec.Command(b.vgw, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	logf, err := os.Create(filepath.Join(b.dir, "versitygw.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start versitygw (go install github.com/versity/versitygw/cmd/versitygw@v1.8.0): %w", err)
	}
	stop = func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); logf.Close() }
	b.vgwPID = cmd.Process.Pid
	b.endpoint = b.scheme + "://" + addr
	b.client = newS3Client(b.endpoint)
	b.presign = s3.NewPresignClient(b.client)
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err = b.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
		cancel()
		if err == nil {
			return stop, nil
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("versitygw did not create the bucket (see %s): %w", logf.Name(), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// serverCPU is versitygw's CPU time (user + sys) so far, from
// /proc/<pid>/stat in clock ticks of 1/100 s (USER_HZ on Linux); 0 if it
// cannot be read. A contender's share is the difference across its run:
// the storage works for one contender at a time.
func (b *bench) serverCPU() time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", b.vgwPID))
	if err != nil {
		return 0
	}
	// The command name, field 2, is in parentheses and may hold spaces:
	// fields 14 and 15 (utime, stime) count from after its ')'.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0
	}
	var ut, st int64
	if _, err := fmt.Sscan(f[11]+" "+f[12], &ut, &st); err != nil {
		return 0
	}
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// newS3Client trusts what SSL_CERT_FILE holds (the script's bundle).
func newS3Client(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
		Retryer:      aws.NopRetryer{}, // startS3 waits for the server itself
		HTTPClient:   &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}},

		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

func presignPut(p *s3.PresignClient, key string) (string, error) {
	req, err := p.PresignPutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key),
	}, s3.WithPresignExpires(30*time.Minute))
	if err != nil {
		return "", fmt.Errorf("presign %s: %w", key, err)
	}
	return req.URL, nil
}

// sign is the fake API's presigner: URLs under the current prefix.
func (b *bench) sign(rel string, _ time.Duration) (string, error) {
	b.mu.Lock()
	prefix := b.prefix
	b.mu.Unlock()
	return presignPut(b.presign, prefix+"/"+rel)
}

// newPrefix points the next contender at a fresh key prefix.
func (b *bench) newPrefix(who string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seq++
	b.prefix = fmt.Sprintf("%s-%d", who, b.seq)
	return b.prefix
}

// checkAndDrop makes sure every file arrived whole under prefix, then
// deletes the objects so the next contender starts on equal terms.
func (b *bench) checkAndDrop(prefix string, t *tree) error {
	dir := filepath.Join(b.s3dir, bucket, prefix)
	for _, f := range t.files {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f.rel)))
		if err != nil || fi.Size() != f.size {
			return fmt.Errorf("%s/%s did not arrive whole: %v", prefix, f.rel, err)
		}
	}
	return os.RemoveAll(dir)
}

func (b *bench) dropPrefix() {
	b.mu.Lock()
	p := b.prefix
	b.mu.Unlock()
	os.RemoveAll(filepath.Join(b.s3dir, bucket, p))
}

// ---- trees ----

// makeTree writes n files of size under <dir>/trees/name/_thumbnails (or
// _graded for files over 64 MiB), perDir to a folder, each different,
// with an mtime an hour ago so that they are settled when first seen.
func (b *bench) makeTree(name string, n int, size int64, perDir int) (*tree, error) {
	t := &tree{name: name, root: filepath.Join(b.dir, "trees", name)}
	sub := "_thumbnails"
	if size > 64<<20 {
		sub = "_graded"
	}
	for _, d := range []string{"_graded", "_thumbnails"} {
		if err := os.MkdirAll(filepath.Join(t.root, d), 0o755); err != nil {
			return nil, err
		}
	}
	buf := make([]byte, min(size, 1<<20))
	for i := range buf {
		buf[i] = byte(i*7 + i>>8)
	}
	old := time.Now().Add(-time.Hour)
	for i := range n {
		rel := fmt.Sprintf("%s/f%06d.bin", sub, i)
		if perDir > 1 {
			rel = fmt.Sprintf("%s/d%03d/f%06d.bin", sub, i/perDir, i)
		}
		p := filepath.Join(t.root, filepath.FromSlash(rel))
		if i%max(perDir, 1) == 0 {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return nil, err
			}
		}
		buf[0], buf[1], buf[2] = byte(i), byte(i>>8), byte(i>>16)
		if err := writeFile(p, buf, size); err != nil {
			return nil, err
		}
		if err := os.Chtimes(p, old, old); err != nil {
			return nil, err
		}
		t.files = append(t.files, file{rel: rel, size: size})
	}
	return t, nil
}

func writeFile(p string, buf []byte, size int64) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	for left := size; left > 0; {
		n := min(left, int64(len(buf)))
		if _, err := f.Write(buf[:n]); err != nil {
			f.Close()
			return err
		}
		left -= n
	}
	return f.Close()
}

// ---- contenders ----

// run runs cmd to its end under /usr/bin/time and returns its usage:
// wall time as seen here, CPU (user+sys) from wait4's rusage (the process
// and the children it waited for), and the peak RSS that time reports.
// The peak RSS cannot come from this process's own wait4: a child started
// with vfork records this (larger) process's RSS before its exec.
func run(cmd *exec.Cmd) (usage, error) {
	var out strings.Builder
	if cmd.Stdout == nil {
		cmd.Stdout = &out
	}
	if cmd.Stderr == nil {
		cmd.Stderr = &out
	}
	rssFile, err := os.CreateTemp("", "benchsync-rss-")
	if err != nil {
		return usage{}, err
	}
	rssFile.Close()
	defer os.Remove(rssFile.Name())
	cmd.Args = append([]string{"/usr/bin/time", "-f", "%M", "-o", rssFile.Name()}, cmd.Args...)
	cmd.Path = "/usr/bin/time"
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	t0 := time.Now()
	err = cmd.Run()
	wall := time.Since(t0)
	if err != nil {
		return usage{}, fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args[5:min(len(cmd.Args), 8)], " "), err, tail(out.String(), 3000))
	}
	u := usage{wall: wall, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	data, err := os.ReadFile(rssFile.Name())
	if err != nil {
		return usage{}, err
	}
	if _, err := fmt.Sscan(strings.TrimSpace(string(data)), &u.rssKiB); err != nil {
		return usage{}, fmt.Errorf("peak RSS from /usr/bin/time %q: %w", data, err)
	}
	return u, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// childEnv is the environment of every child: SSL_CERT_FILE is the
// script's bundle already; AWS_CA_BUNDLE (which rclone refuses on some
// hosts) and proxies are dropped.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(k) {
		case "AWS_CA_BUNDLE", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY":
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// config writes a daemon config for root with a fresh state dir.
func (b *bench) config(name, root string) (cfgPath, state string, err error) {
	return b.configWith(name, root, "")
}

// configWith is config with more lines in its [upload] table.
func (b *bench) configWith(name, root, upload string) (cfgPath, state string, err error) {
	d, err := os.MkdirTemp(b.dir, name+"-")
	if err != nil {
		return "", "", err
	}
	state = filepath.Join(d, "state")
	body := fmt.Sprintf(`[api]
base_url = %q
project_id = %q
token = %q
[watch]
root = %q
[upload]
workers = %d
%s[state]
dir = %q
[log]
file = %q
`, b.api.URL(), project, token, root, workers, upload, state, filepath.Join(d, "uploader.log"))
	cfgPath = filepath.Join(d, "config.toml")
	return cfgPath, state, os.WriteFile(cfgPath, []byte(body), 0o600)
}

func (b *bench) syncCmd(cfg string) *exec.Cmd { return b.syncWith(b.bin, cfg) }

func (b *bench) syncWith(bin, cfg string) *exec.Cmd {
	args := append(strings.Fields(b.wrap), bin, "sync", "-config", cfg)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = childEnv()
	return cmd
}

func (b *bench) syncOnce(t *tree, _ string) (usage, error) {
	cfg, _, err := b.config("sync", t.root)
	if err != nil {
		return usage{}, err
	}
	return run(b.syncCmd(cfg))
}

// syncNone is sync with upload.verify = "none": no Content-MD5, the
// daemon's own cost against the bare loop without MD5.
func (b *bench) syncNone(t *tree, _ string) (usage, error) {
	cfg, _, err := b.configWith("sync-none", t.root, "verify = \"none\"\n")
	if err != nil {
		return usage{}, err
	}
	return run(b.syncCmd(cfg))
}

func (b *bench) syncBase(t *tree, _ string) (usage, error) {
	cfg, _, err := b.config("sync-base", t.root)
	if err != nil {
		return usage{}, err
	}
	return run(b.syncWith(b.base, cfg))
}

func (b *bench) rclone(t *tree, prefix string) (usage, error) {
	conf := filepath.Join(b.dir, "rclone.conf")
	if err := os.WriteFile(conf, nil, 0o600); err != nil {
		return usage{}, err
	}
	args := []string{"copy", "--transfers", fmt.Sprint(workers)}
	if b.ca != "" {
		args = append(args, "--ca-cert", b.ca)
	}
	args = append(args, t.root, "bench:"+bucket+"/"+prefix)
	cmd := exec.Command("rclone", args...)
	cmd.Env = childEnv(
		"RCLONE_CONFIG="+conf,
		"RCLONE_CONFIG_BENCH_TYPE=s3",
		"RCLONE_CONFIG_BENCH_PROVIDER=Other",
		"RCLONE_CONFIG_BENCH_ACCESS_KEY_ID="+accessKey,
		"RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY="+secretKey,
		"RCLONE_CONFIG_BENCH_ENDPOINT="+b.endpoint,
		"RCLONE_CONFIG_BENCH_REGION=us-east-1",
		"RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE=true",
	)
	return run(cmd)
}

// curl runs one curl per file, four at a time (xargs -P), on URLs signed
// before the clock starts.
func (b *bench) curl(t *tree, prefix string) (usage, error) {
	var sb strings.Builder
	for _, f := range t.files {
		u, err := presignPut(b.presign, prefix+"/"+f.rel)
		if err != nil {
			return usage{}, err
		}
		fmt.Fprintf(&sb, "%s %s\n", filepath.Join(t.root, filepath.FromSlash(f.rel)), u)
	}
	cmd := exec.Command("xargs", "-P", fmt.Sprint(workers), "-n", "2",
		"curl", "-sS", "-f", "-o", "/dev/null", "-T")
	extra := []string{}
	if b.ca != "" {
		extra = append(extra, "CURL_CA_BUNDLE="+os.Getenv("SSL_CERT_FILE"))
	}
	cmd.Env = childEnv(extra...)
	cmd.Stdin = strings.NewReader(sb.String())
	return run(cmd)
}

// ---- memory and restart ----

func (b *bench) firstSync(t *tree) (cfg string, u usage, err error) {
	b.newPrefix(t.name)
	cfg, _, err = b.config(t.name, t.root)
	if err != nil {
		return "", usage{}, err
	}
	u, err = run(b.syncCmd(cfg))
	if err != nil {
		return "", usage{}, err
	}
	return cfg, u, nil
}

// rss4G sends one sparse 4 GiB file with sync and reports its peak RSS.
func (b *bench) rss4G() error {
	root := filepath.Join(b.dir, "trees", "rss4g")
	p := filepath.Join(root, "_graded", "big.mov")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	if err := f.Truncate(4 << 30); err != nil {
		f.Close()
		return err
	}
	f.Close()
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		return err
	}
	t := &tree{name: "rss4g", root: root, files: []file{{rel: "_graded/big.mov", size: 4 << 30}}}
	prefix := b.newPrefix("rss4g")
	cfg, _, err := b.config("rss4g", root)
	if err != nil {
		return err
	}
	u, err := run(b.syncCmd(cfg))
	if err != nil {
		return err
	}
	if err := b.checkAndDrop(prefix, t); err != nil {
		return err
	}
	os.RemoveAll(root)
	fmt.Printf("4 GiB file (sparse), sync: wall %.2fs cpu %.2fs peak RSS %.1f MiB (budget 32 MiB: %s)\n",
		u.wall.Seconds(), u.cpu.Seconds(), mib(u.rssKiB), okOver(mib(u.rssKiB) < 32))
	return nil
}

// statusDoc is what restart reads of `status -json`.
type statusDoc struct {
	Queued  int `json:"queued"`
	Active  int `json:"active"`
	PID     int `json:"pid"`
	Watcher struct {
		LastScan time.Time `json:"last_scan"`
		Pending  int       `json:"pending"`
	} `json:"watcher"`
}

// restart starts `run` over the finished tree and asks `status -json`, as
// a person would, until it shows a finished scan with nothing pending,
// queued or active; no file may be signed again.
func (b *bench) restart(cfg string) error {
	signs := b.api.Requests("sign")
	cmd := exec.Command(b.bin, "run", "-config", cfg)
	cmd.Env = childEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	polls := 0
	var settled time.Duration
	for {
		if time.Since(t0) > time.Minute {
			return fmt.Errorf("restart: not settled after a minute\n%s", tail(out.String(), 2000))
		}
		polls++
		st := exec.Command(b.bin, "status", "-json", "-config", cfg)
		st.Env = childEnv()
		data, err := st.Output()
		var doc statusDoc
		if err == nil && json.Unmarshal(data, &doc) == nil && doc.PID == cmd.Process.Pid &&
			!doc.Watcher.LastScan.IsZero() && doc.Queued == 0 && doc.Active == 0 && doc.Watcher.Pending == 0 {
			settled = time.Since(t0)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	resigned := b.api.Requests("sign") - signs
	fmt.Printf("restart over the finished 20k tree: settled (status -json: scan finished, nothing pending/queued/active) after %.2fs, %d polls, %d sign requests (budget < 1 s and 0 signs: %s)\n",
		settled.Seconds(), polls, resigned, okOver(settled < time.Second && resigned == 0))
	return nil
}

// ---- the bare loop (child) ----
