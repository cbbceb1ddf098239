package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// syncBuffer is a buffer safe to write from the server and read from the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeBrowserDemo is the web interface's promise: after `cellsite
// serve` starts on a new data directory, a new user reaches a verified
// evidential pack of the demo case in the browser alone. The admin signs
// in with the printed password, adds a reviewer and makes them a member of
// the demo case, and requests a pack; the reviewer approves it and
// downloads it, and the page checks it against the provenance log. The
// screenshots go to CELLSITE_SCREENSHOTS when it is set.
func TestServeBrowserDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the service and a browser")
	}
	exe := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		t.Skip("browser test skipped: no chromium on this machine (Debian: apt-get install chromium; .ci/run installs it)")
	}
	shots := os.Getenv("CELLSITE_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}

	// The service, as a user starts it, on a loopback port of the kernel's choosing.
	ctx, stop := context.WithCancel(context.Background())
	var out, errs syncBuffer
	served := make(chan error, 1)
	data := filepath.Join(t.TempDir(), "data")
	go func() {
		served <- run(ctx, []string{"cellsite", "serve", "--addr", "127.0.0.1:0", "--data", data}, func(string) string { return "" }, &out, &errs)
	}()
	t.Cleanup(func() {
		stop()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("serve: %v\n%s", err, errs.String())
			}
		case <-time.After(time.Minute):
			t.Error("serve did not stop within a minute")
		}
	})
	addrRE := regexp.MustCompile(`In a browser: (http://\S+/)`)
	pwRE := regexp.MustCompile(`password: (\S+)`)
	deadline := time.Now().Add(2 * time.Minute)
	var base, password string
	for base == "" {
		select {
		case err := <-served:
			t.Fatalf("serve stopped: %v\n%s", err, errs.String())
		default:
		}
		if m := addrRE.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no address in 2 minutes:\n%s\n%s", out.String(), errs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if m := pwRE.FindStringSubmatch(out.String()); m != nil {
		password = m[1]
	} else {
		t.Fatalf("serve printed no password:\n%s", out.String())
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1366, 768))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelB(); cancelA() })
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	var mu sync.Mutex
	var problems []string
	if err := chromedp.Listen(bctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("console.error: %v", ev.Args))
				mu.Unlock()
			}
		case *runtime.EventExceptionThrown:
			mu.Lock()
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	downloads := t.TempDir()
	if _, err := chromedp.CallBrowser(bctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatal(err)
	}
	tctx, cancelT := context.WithTimeout(bctx, 6*time.Minute)
	defer cancelT()

	n := 0
	shot := func(name string) {
		t.Helper()
		n++
		png, err := chromedp.Run(tctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, fmt.Sprintf("demo-%02d-%s.png", n, name)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(tctx, actions...); err != nil {
			shot("failed")
			t.Fatalf("%s: %v", what, err)
		}
	}
	waitFor := func(what, js string) {
		t.Helper()
		end := time.Now().Add(3 * time.Minute)
		for {
			ok, err := chromedp.Run(tctx, chromedp.Evaluate[bool](js))
			if err != nil {
				t.Fatalf("waiting for %s: %v", what, err)
			}
			if ok {
				return
			}
			if time.Now().After(end) {
				shot("timeout")
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	signIn := func(user, pw string) {
		t.Helper()
		do("sign in as "+user, chromedp.Navigate(base+"#/login"), chromedp.WaitVisible(css("#login")),
			chromedp.SendKeys(css("#login input[name=user]"), user), chromedp.SendKeys(css("#login input[name=password]"), pw),
			chromedp.Click(css("#login button[type=submit]")), chromedp.WaitVisible(css("#signout")))
	}

	// The admin signs in with the printed password and finds the demo case.
	do("open the interface", chromedp.Navigate(base), chromedp.WaitVisible(css("#login")))
	signIn("admin", password)
	waitFor("the demo case", `[...document.querySelectorAll("table.data a")].some(a => a.textContent === "DEMO-MEETING")`)
	shot("cases")
	// ...adds a reviewer...
	const reviewerPW = "a long reviewer password"
	do("add a reviewer", chromedp.Navigate(base+"#/users"), chromedp.WaitVisible(css("#create-user")),
		chromedp.SendKeys(css("#create-user input[name=name]"), "rita"),
		chromedp.SendKeys(css("#create-user input[name=display]"), "Rita Reviewer"),
		chromedp.SetValue(css("#create-user select[name=role]"), "reviewer"),
		chromedp.SendKeys(css("#create-user input[name=password]"), reviewerPW),
		chromedp.Click(css("#create-user button[type=submit]")))
	waitFor("the reviewer", `[...document.querySelectorAll("#users td")].some(td => td.textContent === "rita")`)
	shot("users")
	// ...makes her a member of the demo case, looks at its map...
	do("add her to the case", chromedp.Navigate(base+"#/cases/DEMO-MEETING"), chromedp.WaitVisible(css("#add-member")),
		chromedp.SendKeys(css("#add-member input[name=user]"), "rita"), chromedp.Click(css("#add-member button[type=submit]")))
	waitFor("the member", `[...document.querySelectorAll("table.data td")].some(td => td.textContent === "rita")`)
	do("the map", chromedp.Navigate(base+"#/cases/DEMO-MEETING/map?episode=1"), chromedp.WaitVisible(css("#leaflet")))
	waitFor("wedges", `document.querySelectorAll("#leaflet path.cs-wedge").length > 0`)
	shot("map")
	// ...and requests a pack.
	do("request a pack", chromedp.Navigate(base+"#/cases/DEMO-MEETING/packs"), chromedp.WaitVisible(css("#request-pack")),
		chromedp.SendKeys(css("#request-pack input[name=exhibit]"), "DEMO/1"), chromedp.Click(css("#request-pack button[type=submit]")))
	waitFor("the draft pack", `!!document.querySelector("#pack-1 .status.draft")`)
	shot("pack-draft")
	do("sign out", chromedp.Click(css("#signout")), chromedp.WaitVisible(css("#login")))

	// The reviewer approves it, downloads it, and the page verifies it.
	signIn("rita", reviewerPW)
	do("the packs", chromedp.Navigate(base+"#/cases/DEMO-MEETING/packs"), chromedp.WaitVisible(css("#review-1")),
		chromedp.SendKeys(css("#review-1 textarea"), "Checked the schedules against the originals."),
		chromedp.Click(css("#review-1 button[value=approved]")))
	waitFor("the approval", `!!document.querySelector("#pack-1 .status.approved")`)
	do("download", chromedp.Click(css("#download-1")))
	waitFor("the check", `!!document.querySelector("#verify-result")`)
	shot("pack-verified")
	if ok, _ := chromedp.Run(tctx, chromedp.Evaluate[bool](`!!document.querySelector("#verify-result.good")`)); !ok {
		txt, _ := chromedp.Run(tctx, chromedp.Evaluate[string](`document.querySelector("#verify-result").innerText`))
		t.Errorf("the pack did not verify: %s", txt)
	}

	// The file saved is the pack the log recorded; `cellsite verify`
	// checks it offline against the key's fingerprint.
	var zip string
	for end := time.Now().Add(time.Minute); zip == ""; time.Sleep(100 * time.Millisecond) {
		if m, _ := filepath.Glob(filepath.Join(downloads, "*.zip")); len(m) > 0 {
			zip = m[0]
		} else if time.Now().After(end) {
			t.Fatal("no download")
		}
	}
	b, err := os.ReadFile(zip)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	page, _ := chromedp.Run(tctx, chromedp.Evaluate[string](`document.querySelector("#verify-result").innerText`))
	if !strings.Contains(page, hex.EncodeToString(sum[:])) {
		t.Errorf("the page checked another hash than the file's %x:\n%s", sum, page)
	}
	fp := regexp.MustCompile(`--fingerprint (sha256:[0-9a-f]{64})`).FindStringSubmatch(page)
	if fp == nil {
		t.Fatalf("no fingerprint on the page:\n%s", page)
	}
	if code, vout, verrs := cli(t, nil, "verify", zip, "--fingerprint", fp[1]); code != 0 {
		t.Errorf("cellsite verify %s: exit %d\n%s%s", zip, code, vout, verrs)
	}
	mu.Lock()
	for _, p := range problems {
		t.Errorf("in the browser: %s", p)
	}
	mu.Unlock()
}
