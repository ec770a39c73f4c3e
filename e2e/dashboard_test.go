package e2e

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/odailies/odailies-uploader/e2e/toxi"
)

// chromiumFlags are how the test runs Debian's chromium as root in CI:
// headless, no sandbox (root), and nothing that reaches the network on
// its own.
var chromiumFlags = []chromedp.ExecAllocatorOption{
	chromedp.Flag("headless", true),
	chromedp.Flag("no-sandbox", true),
	chromedp.Flag("disable-gpu", true),
	chromedp.Flag("disable-background-networking", true),
	chromedp.Flag("disable-component-update", true),
	chromedp.Flag("disable-sync", true),
	chromedp.Flag("no-first-run", true),
	chromedp.Flag("no-default-browser-check", true),
	chromedp.WindowSize(1280, 1700),
}

// browser starts chromium with a new, empty profile and returns a tab.
func browser(t *testing.T) context.Context {
	t.Helper()
	exe := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		t.Fatal("no chromium on PATH: install Debian's chromium (apt-get install chromium; .ci/run does)")
	}
	opts := append([]chromedp.ExecAllocatorOption{chromedp.ExecPath(exe), chromedp.UserDataDir(t.TempDir())}, chromiumFlags...)
	actx, cancelA := chromedp.NewExecAllocator(t.Context(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelB(); cancelA() })
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium %s: %v", exe, err)
	}
	return ctx
}

// artifactPath is where CI keeps the dashboard's screenshot:
// $ARTIFACTS/dashboard.png, else artifacts/dashboard.png at the top of
// the repository.
func artifactPath(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p, _ := filepath.Abs(filepath.Join(dir, "dashboard.png"))
	return p
}

var dashboardURL = regexp.MustCompile(`msg="dashboard listening".* url=(http://127\.0\.0\.1:\d+/)`)

// TestDashboardInABrowser drives the page in headless chromium while the
// built daemon uploads over a slow link: the progress bar of the upload
// moves between two looks, a failed file's Retry button puts it back and
// it is uploaded, and a screenshot of the page under load is saved.
func TestDashboardInABrowser(t *testing.T) {
	r := newRig(t, rigOptions{link: true, settle: "200ms", extraCfg: "[ui]\nlisten = \"127.0.0.1:0\"\n"})
	r.api.FailSign(1, http.StatusBadRequest, 0) // the first file's signing is refused for good
	bad := filepath.Join(r.root, "_thumbnails", "A001C001_bad.jpg")
	if err := os.WriteFile(bad, bytes.Repeat([]byte("j"), 20<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	d := r.start()
	r.eventually("the first file to fail", 30*time.Second, func() bool { s, ok := r.statusFile(); return ok && s.Failed == 1 })

	var url string
	r.eventually("the dashboard's start line", 10*time.Second, func() bool {
		m := dashboardURL.FindStringSubmatch(r.logText())
		if m != nil {
			url = m[1]
		}
		return m != nil
	})

	// 2 MiB/s: the clip takes about 20 s. Slower links need smaller
	// files, which the socket buffers then swallow whole: the bar would
	// jump to the end and the upload wait for its answer past the rig's
	// stall_timeout.
	r.link.Bandwidth(toxi.Upstream, 2048)
	clip := bytes.Repeat([]byte("0123456789abcdef"), (40<<20)/16)
	if err := os.WriteFile(filepath.Join(r.root, "_graded", "A001C002_260422_R3CK.mov"), clip, 0o644); err != nil {
		t.Fatal(err)
	}

	ctx := browser(t)
	const bar = `.active-file[data-path="_graded/A001C002_260422_R3CK.mov"] .bar`
	if err := chromedp.Run(ctx, chromedp.Navigate(url), chromedp.WaitVisible(bar, chromedp.ByQuery)); err != nil {
		t.Fatalf("open %s and wait for the clip's progress bar: %v\nlog:\n%s", url, err, r.logTail())
	}
	first := progress(t, ctx, bar)
	var second float64
	r.eventually("the progress bar to move", 15*time.Second, func() bool { second = progress(t, ctx, bar); return second > first })
	var width1, width2 string
	chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector('`+bar+` > span').style.width`, &width1))
	t.Logf("progress bar: %.1f%% then %.1f%% (fill width %s)", first, second, width1)
	if second >= 100 {
		t.Fatalf("the clip finished before two looks at its bar (%.1f%%, %.1f%%): the link is not slow enough", first, second)
	}

	// Under load: the clip uploading, the failure listed. The screenshot
	// is taken once the page has drawn the rate of the upload.
	const retry = `button.retry[data-path="_thumbnails/A001C001_bad.jpg"]`
	if err := chromedp.Run(ctx, chromedp.WaitVisible(retry, chromedp.ByQuery)); err != nil {
		t.Fatalf("no Retry button for the failed file: %v", err)
	}
	r.eventually("the upload's rate on the page", 10*time.Second, func() bool {
		var meta string
		chromedp.Run(ctx, chromedp.Evaluate(`[...document.querySelectorAll('`+bar+` ~ .meta')].map(e => e.textContent).join(" ")`, &meta))
		return strings.Contains(meta, "/s ·") && strings.Contains(meta, "left")
	})
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	shot := artifactPath(t)
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the dashboard under load: %s (%d bytes)", shot, len(png))
	// The same page on a phone: one column, nothing wider than the screen.
	var phone []byte
	var overflow bool
	if err := chromedp.Run(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth`, &overflow),
		chromedp.FullScreenshot(&phone, 100), chromedp.EmulateViewport(1280, 1700)); err != nil {
		t.Fatalf("phone screenshot: %v", err)
	}
	if overflow {
		t.Error("on a phone-sized screen the page is wider than the screen")
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(shot), "dashboard-phone.png"), phone, 0o644); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("the screenshot is not a PNG (quality 100 makes one)")
	}

	// The search box asks the daemon why the file is not uploaded.
	var verdict string
	if err := chromedp.Run(ctx, chromedp.SetValue("#why-path", "_thumbnails/A001C001_bad.jpg", chromedp.ByID),
		chromedp.Click(`#why-form button`, chromedp.ByQuery),
		chromedp.WaitVisible(`#why-answer .verdict`, chromedp.ByQuery),
		chromedp.Text(`#why-answer`, &verdict, chromedp.ByQuery)); err != nil {
		t.Fatalf("ask why: %v", err)
	}
	if !strings.Contains(verdict, "_thumbnails/A001C001_bad.jpg: failed") || !strings.Contains(verdict, "injected failure") {
		t.Errorf("the search box answered %q, want the file failed with its reason", verdict)
	}

	// Retry the failed file from its button: it goes up.
	if err := chromedp.Run(ctx, chromedp.Click(retry, chromedp.ByQuery)); err != nil {
		t.Fatalf("click Retry: %v", err)
	}
	r.eventually("the retried file in storage", 30*time.Second, func() bool {
		_, ok := r.s3.Object(t, "_thumbnails/A001C001_bad.jpg")
		return ok
	})
	const recent = `.recent-file`
	r.eventually("the retried file among the page's recent uploads, and no failure left", 10*time.Second, func() bool {
		var txt string
		var failures int
		chromedp.Run(ctx, chromedp.Evaluate(`[...document.querySelectorAll('`+recent+`')].map(e => e.textContent).join("\n")`, &txt),
			chromedp.Evaluate(`document.querySelectorAll('.failure').length`, &failures))
		return strings.Contains(txt, "_thumbnails/A001C001_bad.jpg") && strings.Contains(txt, "verified") && failures == 0
	})
	chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector('`+bar+` > span') ? document.querySelector('`+bar+` > span').style.width : "done"`, &width2))
	t.Logf("clip's fill width after the retry: %s", width2)

	// What the page and its answers hold is checked for secrets with the
	// rest of the test's output (rig.checkSecrets).
	var html, state string
	if err := chromedp.Run(ctx, chromedp.OuterHTML("html", &html, chromedp.ByQuery),
		chromedp.Evaluate(`fetch("/api/state").then(r => r.text())`, &state, awaitPromise)); err != nil {
		t.Fatalf("read the page: %v", err)
	}
	r.capture().WriteString(html + "\n" + state)
	if !strings.Contains(html, "All caught up") && !strings.Contains(html, "Uploading") {
		t.Errorf("the page says neither 'Uploading' nor 'All caught up':\n%.2000s", html)
	}
	d.stop()
}

func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

// progress reads the progress bar's value (percent) from the page.
func progress(t *testing.T, ctx context.Context, sel string) float64 {
	t.Helper()
	var v string
	var ok bool
	if err := chromedp.Run(ctx, chromedp.AttributeValue(sel, "aria-valuenow", &v, &ok, chromedp.ByQuery)); err != nil || !ok {
		t.Fatalf("read the progress bar: %v", err)
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("progress bar value %q: %v", v, err)
	}
	return f
}
