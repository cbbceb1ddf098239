package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cellsite/cellsite/analysis"
	"github.com/cellsite/cellsite/store"
	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromium returns the path of Debian's chromium, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CELLSITE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("browser test skipped: no chromium on this machine (Debian: apt-get install chromium; .ci/run installs it)")
	return ""
}

// browserEnv is a headless chromium on a fresh profile, driving the web
// interface of a test server; it records console errors and CSP
// violations, and saves screenshots.
type browserEnv struct {
	t        *testing.T
	e        *testEnv
	ctx      context.Context
	shots    string // directory of screenshots
	download string // directory downloads land in
	mu       sync.Mutex
	problems []string
	n        int
}

func newBrowser(t *testing.T, e *testEnv) *browserEnv {
	t.Helper()
	exe := chromium(t)
	shots := os.Getenv("CELLSITE_SCREENSHOTS") // keep them to look at
	if shots == "" {
		shots = filepath.Join(t.TempDir(), "screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 768),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelC(); cancelA() })
	b := &browserEnv{t: t, e: e, shots: shots, download: t.TempDir()}
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting chromium: %v", err)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, strings.TrimSpace(string(a.Value)+" "+a.Description))
				}
				b.problem("console.%s: %s", ev.Type, strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			b.problem("exception at %s:%d: %s", d.URL, d.LineNumber, msg)
		case *cdplog.EventEntryAdded:
			en := ev.Entry
			switch {
			case en.Source == cdplog.EntrySourceSecurity, en.Source == cdplog.EntrySourceJavascript && en.Level == cdplog.EntryLevelError:
				b.problem("%s %s: %s", en.Source, en.Level, en.Text)
			case en.Source == cdplog.EntrySourceNetwork && en.Level == cdplog.EntryLevelError && !strings.Contains(en.URL, "/api/v1/"):
				b.problem("network: %s (%s)", en.Text, en.URL) // a file of the interface missing
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: b.download}); err != nil {
		t.Fatalf("download folder: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatal(err)
	}
	// A headless window never has the focus; without this, :focus
	// styles (the skip link, focus rings) would never show.
	if _, err := chromedp.Call(ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	tctx, cancelT := context.WithTimeout(ctx, 8*time.Minute) // bounds the test, not the browser
	t.Cleanup(cancelT)
	b.ctx = tctx
	return b
}

func (b *browserEnv) problem(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, fmt.Sprintf(format, args...))
}

// run runs actions, failing the test with what was asked.
func (b *browserEnv) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates JavaScript in the page.
func eval[T any](b *browserEnv, js string, opts ...chromedp.EvaluateOption) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js, opts...))
	if err != nil {
		b.t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// shot saves a screenshot of the page as it is now.
func (b *browserEnv) shot(name string) string {
	b.t.Helper()
	b.n++
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return ""
	}
	p := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.n, name))
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	return p
}

// text returns the text of the first element matching a CSS selector.
func (b *browserEnv) text(sel string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf("(document.querySelector(%q) || {innerText: ''}).innerText", sel))
}

// count returns how many elements match a CSS selector.
func (b *browserEnv) count(sel string) int {
	b.t.Helper()
	return eval[int](b, fmt.Sprintf("document.querySelectorAll(%q).length", sel))
}

// waitFor polls a JavaScript condition until it holds (bounded).
func (b *browserEnv) waitFor(what, js string) {
	b.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !eval[bool](b, js) {
		if time.Now().After(deadline) {
			b.shot("timeout-" + strings.ReplaceAll(what, " ", "-"))
			b.t.Fatalf("timed out waiting for %s (%s)", what, js)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// open opens a page of the interface by its fragment and waits for sel.
func (b *browserEnv) open(fragment, sel string) {
	b.t.Helper()
	b.run("open "+fragment, chromedp.Navigate(b.e.srv.URL+"/"+fragment), chromedp.WaitVisible(chromedp.CSS(sel)))
}

func (b *browserEnv) signIn(user, password string) {
	b.t.Helper()
	b.run("sign in as "+user,
		chromedp.Navigate(b.e.srv.URL+"/#/login"),
		chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#login input[name=user]"), user),
		chromedp.SendKeys(chromedp.CSS("#login input[name=password]"), password),
		chromedp.Click(chromedp.CSS("#login button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#signout")),
	)
}

func (b *browserEnv) signOut() {
	b.t.Helper()
	b.run("sign out", chromedp.Click(chromedp.CSS("#signout")), chromedp.WaitVisible(chromedp.CSS("#login")))
}

// checkProblems fails on any console error, exception or content
// security policy violation seen so far.
func (b *browserEnv) checkProblems() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("in the browser: %s", p)
	}
	b.problems = nil
}

// TestBrowser drives the web interface in Debian's chromium through a
// whole case: an analyst signs in, opens a case, uploads a synthetic
// scenario by the file chooser and sees each file's accounting (and a file
// no profile fits, with its candidates), runs co-location, sees the
// wedges on the map and requests a pack; a reviewer approves it and
// verifies the log; a prosecutor downloads it, verified against the log,
// and is refused on a case that is not theirs. Every page is saved as a
// screenshot (set CELLSITE_SCREENSHOTS=DIR to keep them).
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives a browser through a whole case")
	}
	e := newEnv(t, envOptions{})
	sc := meetingScenario(t)
	for _, u := range []struct{ name, role string }{{"ana", store.RoleAnalyst}, {"rev", store.RoleReviewer}, {"pros", store.RoleProsecutor}, {"boss", store.RoleAdmin}} {
		e.newUser(u.name, u.role)
	}
	pw := func(name string) string { return "pw-" + name + "-0123456789" } // as newUser sets it
	e.seedCase("OP-OTHER", sc)                                             // a case pros is not a member of
	b := newBrowser(t, e)
	const ref = "OP-WEB"

	// The analyst signs in and opens a case.
	b.run("open the sign-in page", chromedp.Navigate(e.srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#login")))
	b.shot("sign-in")
	// The keyboard: the first Tab reaches the skip link; the user name has focus.
	if f := eval[string](b, `String(document.activeElement.name)`); f != "user" {
		t.Errorf("focus on %q at sign-in, want the user name", f)
	}
	// The first stop of the Tab key is the skip link, shown when focused.
	if !eval[bool](b, `(() => { const a = document.querySelector(".skip"); a.focus();
		return document.querySelector("a[href], button, input, select, textarea") === a && document.activeElement === a && a.getBoundingClientRect().left >= 0; })()`) {
		t.Errorf("the skip link is not the first stop of the keyboard, or is not shown when focused: %s", eval[string](b, `(() => { const a = document.querySelector(".skip");
			return [document.querySelector("a[href], button, input, select, textarea").outerHTML, document.activeElement.outerHTML, a.getBoundingClientRect().left, document.hasFocus()].join(" | "); })()`))
	}
	b.signIn("ana", pw("ana"))
	b.run("cases page", chromedp.WaitVisible(chromedp.CSS("#create-case")))
	b.run("open a case",
		chromedp.SendKeys(chromedp.CSS("#create-case input[name=ref]"), ref),
		chromedp.SendKeys(chromedp.CSS("#create-case input[name=title]"), "Two phones that met"),
		chromedp.Click(chromedp.CSS("#create-case button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#add-member")))
	for _, m := range []string{"rev", "pros"} {
		b.run("add member "+m,
			chromedp.SetValue(chromedp.CSS("#add-member input[name=user]"), m),
			chromedp.Click(chromedp.CSS("#add-member button[type=submit]")))
		b.waitFor("member "+m, fmt.Sprintf(`[...document.querySelectorAll("table.data td")].some(td => td.textContent === %q)`, m))
	}
	b.shot("case-overview")

	// Uploads: the scenario's files, and one no profile fits.
	var files []string
	for _, kind := range []string{"cells", "cdr"} {
		for _, f := range sc.files(kind) {
			files = append(files, filepath.Join(sc.dir, filepath.FromSlash(f.Path)))
		}
	}
	bogus := filepath.Join(t.TempDir(), "unknown-layout.csv")
	if err := os.WriteFile(bogus, []byte("Caller,Callee,When\n+447700900001,+447700900002,2026-03-01 10:00\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.open("#/cases/"+ref+"/sources", "#dropzone")
	b.run("choose files", chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), append(files, bogus)))
	b.waitFor("every upload to end", fmt.Sprintf(`document.querySelectorAll("#uploads .result > *").length === %d`, len(files)+1))
	b.waitFor("the sources table", fmt.Sprintf(`document.querySelectorAll("table.sources tbody tr").length === %d`, len(files)))
	b.shot("sources-uploaded")
	if n := b.count("#uploads .result p.ok"); n != len(files) {
		t.Errorf("%d uploads ingested, want %d", n, len(files))
	}
	if n := b.count("table.candidates tbody tr"); n == 0 {
		t.Errorf("the file no profile fits shows no candidates: %q", b.text("#uploads"))
	}
	b.run("scroll to the refused file", chromedp.ScrollIntoView(chromedp.CSS("table.candidates")))
	b.shot("sources-no-profile-fits")
	if n := b.count("#uploads .profile"); n != len(files) {
		t.Errorf("%d detected profiles shown, want %d", n, len(files))
	}
	// Every source's accounting, as the scenario planted it.
	rows := eval[[][]string](b, `[...document.querySelectorAll("table.sources tbody tr")].map(tr => [...tr.cells].map(td => td.innerText))`)
	planted := map[string][4]int{}
	for _, f := range sc.truth.Files {
		planted[filepath.Base(f.Path)] = [4]int{f.Rows, f.Accepted, len(f.Duplicates), len(f.Rejects)}
	}
	for _, r := range rows {
		name := strings.SplitN(r[1], "\n", 2)[0]
		p, ok := planted[name]
		if !ok {
			t.Errorf("source %q is not a scenario file", name)
			continue
		}
		if want := fmt.Sprintf("%d = %d + %d + %d ✓", p[0], p[1], p[2], p[3]); !strings.HasPrefix(r[5], want) {
			t.Errorf("source %s: accounting %q, want %q", name, r[5], want)
		}
	}
	// A file dropped on the drop zone is uploaded as a chosen one is.
	eval[chromedp.Void](b, `(() => {
		const dt = new DataTransfer();
		dt.items.add(new File(["Caller,Callee,When\n1,2,3\n"], "dropped.csv", { type: "text/csv" }));
		document.querySelector("#dropzone").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
	})()`)
	b.waitFor("the dropped file's end", fmt.Sprintf(`document.querySelectorAll("#uploads .result > *").length === %d`, len(files)+2))
	if got := b.text("#uploads li:last-child"); !strings.Contains(got, "dropped.csv") || !strings.Contains(got, "no profile fits dropped.csv") {
		t.Errorf("the dropped file: %q", got)
	}
	b.run("scroll to the rejected rows", chromedp.ScrollIntoView(chromedp.CSS("#rejects")))
	b.shot("sources-rejects")

	// Events, filtered and paged.
	b.open("#/cases/"+ref+"/events", "#events table")
	b.shot("events")
	b.run("next page", chromedp.Click(chromedp.CSS(".pager button:last-child")))
	b.waitFor("page 2", `location.hash.includes("page=2") && !!document.querySelector("#events table")`)
	// Filtered by target and by a window typed in UK local time.
	target := sc.files("cdr")[0].Target
	b.open("#/cases/"+ref+"/events", "#event-filters")
	b.run("filter events",
		chromedp.SendKeys(chromedp.CSS("#event-filters input[name=target]"), target),
		chromedp.SendKeys(chromedp.CSS("#event-filters input[name=from]"), "03/03/2026 00:00:00"),
		chromedp.SendKeys(chromedp.CSS("#event-filters input[name=to]"), "04/03/2026 00:00:00"),
		chromedp.SetValue(chromedp.CSS("#event-filters select[name=basis]"), "uk-local"),
		chromedp.Click(chromedp.CSS("#event-filters button[type=submit]")))
	b.waitFor("the filtered events", `location.hash.includes("target=") && !!document.querySelector("#events table tbody tr")`)
	b.shot("events-filtered")
	starts := eval[[]string](b, `[...document.querySelectorAll("#events table tbody tr")].map(tr => tr.cells[0].innerText + " | " + tr.cells[2].innerText)`)
	for _, s := range starts {
		if !strings.HasPrefix(s, "03/03/2026 ") || !strings.HasSuffix(s, "| "+target) {
			t.Errorf("filtered event %q: want 03/03/2026 and target %s", s, target)
		}
	}
	if len(starts) == 0 {
		t.Error("no events on 03/03/2026")
	}

	// Co-location, with the form's defaults: those of the service.
	b.open("#/cases/"+ref+"/analyses", "#run-analysis")
	if got := eval[string](b, `document.querySelector("#run-analysis select[name=basis]").value`); got != analysis.BasisServiceArea {
		t.Errorf("the form's basis is %q, want the default %q", got, analysis.BasisServiceArea)
	}
	b.run("run co-location",
		chromedp.SetValue(chromedp.CSS("#analysis-kind"), "colocation"),
		chromedp.Click(chromedp.CSS("#run-analysis button[type=submit]")))
	b.waitFor("the co-location result", `!!document.querySelector("table.episodes tbody tr")`)
	b.shot("colocation")
	defaults, err := json.Marshal(analysis.ColocationParams{}.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(defaults, &want); err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		if got := b.text(".facts code"); !strings.Contains(got, fmt.Sprintf("%s=%v", k, v)) {
			t.Errorf("the co-location run's parameters %q lack the default %s=%v", got, k, v)
		}
	}
	b.open("#/cases/"+ref+"/analyses", "#run-analysis")
	b.run("run pattern of life",
		chromedp.SetValue(chromedp.CSS("#analysis-kind"), "pattern"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#analysis-kind").dispatchEvent(new Event("change"))`),
		chromedp.Click(chromedp.CSS("#run-analysis button[type=submit]")))
	b.waitFor("the pattern of life", `location.hash.endsWith("/analyses/2") && !!document.querySelector(".result, .sub-result, table")`)
	b.shot("pattern")
	b.open("#/cases/"+ref+"/analyses", "#analyses table")
	b.shot("analyses")

	// The map of the first episode: wedges as SVG paths, numbered events.
	b.open("#/cases/"+ref+"/map?episode=1", "#leaflet")
	b.waitFor("wedges on the map", `document.querySelectorAll("#leaflet path.cs-wedge").length > 0`)
	if n := b.count(".cs-rows span"); n == 0 {
		t.Error("no numbered events beside the wedges")
	}
	if n := b.count("#leaflet path.cs-route"); n == 0 {
		t.Error("no route on the map")
	}
	b.shot("map-episode")
	eval[chromedp.Void](b, `(() => { const s = document.querySelector("#time-slider"); s.value = 2; s.dispatchEvent(new Event("input")); })()`)
	b.waitFor("the current event", `!!document.querySelector("#map-events tr.current")`)
	b.shot("map-slider")
	b.open("#/cases/"+ref+"/map?map=1", "#leaflet")
	b.waitFor("a target's map", `document.querySelectorAll("#leaflet path.cs-wedge").length > 0`)
	b.shot("map-target")

	// A pack, requested with its progress shown.
	b.open("#/cases/"+ref+"/packs", "#request-pack")
	b.run("request a pack",
		chromedp.SendKeys(chromedp.CSS("#request-pack input[name=exhibit]"), "ABC/1"),
		chromedp.Click(chromedp.CSS("#request-pack button[type=submit]")))
	b.waitFor("the draft pack", `!!document.querySelector("#pack-1 .status.draft")`)
	b.shot("pack-draft")
	// A second pack, which the reviewer will reject.
	b.run("request a second pack",
		chromedp.SetValue(chromedp.CSS("#request-pack input[name=exhibit]"), "ABC/3"),
		chromedp.Click(chromedp.CSS("#request-pack button[type=submit]")))
	b.waitFor("the second draft pack", `!!document.querySelector("#pack-2 .status.draft")`)
	b.open("#/cases/"+ref+"/provenance", "table.leaves")
	b.shot("provenance")
	b.open("#/cases/"+ref+"/triggers", "#create-trigger")
	b.run("set a trigger",
		chromedp.SendKeys(chromedp.CSS("#create-trigger input[name=spec]"), "0 6 * * 1-5"),
		chromedp.SendKeys(chromedp.CSS("#create-trigger input[name=exhibit]"), "ABC/2"),
		chromedp.Click(chromedp.CSS("#create-trigger button[type=submit]")))
	b.waitFor("the trigger", `[...document.querySelectorAll("#triggers td")].some(td => td.textContent === "0 6 * * 1-5")`)
	b.shot("triggers")
	b.checkProblems()
	b.signOut()

	// The reviewer approves it and verifies the whole log.
	b.signIn("rev", pw("rev"))
	b.open("#/cases/"+ref+"/packs", "#review-1")
	if n := b.count("#request-pack"); n != 0 {
		t.Error("a reviewer is offered to request packs")
	}
	b.run("approve",
		chromedp.SendKeys(chromedp.CSS("#review-1 textarea"), "Schedules checked against the originals."),
		chromedp.Click(chromedp.CSS(`#review-1 button[value=approved]`)))
	b.waitFor("the approval", `!!document.querySelector("#pack-1 .status.approved")`)
	b.shot("pack-approved")
	b.run("reject without a comment", chromedp.Click(chromedp.CSS(`#review-2 button[value=rejected]`)))
	time.Sleep(time.Second) // time for a review, were one sent, to come back
	if n := b.count("#pack-2 .status.draft"); n != 1 {
		t.Error("a pack was reviewed without a comment")
	}
	b.run("reject",
		chromedp.SendKeys(chromedp.CSS("#review-2 textarea"), "Exhibit number is wrong."),
		chromedp.Click(chromedp.CSS(`#review-2 button[value=rejected]`)))
	b.waitFor("the rejection", `!!document.querySelector("#pack-2 .status.rejected")`)
	if n := b.count("#review-2"); n != 0 {
		t.Error("a rejected pack is still offered for review")
	}
	b.open("#/cases/"+ref+"/provenance", "#verify-btn")
	b.run("verify the log", chromedp.Click(chromedp.CSS("#verify-btn")))
	b.waitFor("the log verified", `!!document.querySelector("#verify-ok")`)
	b.shot("log-verified")
	b.open("#/cases/"+ref+"/audit", "table.audit")
	b.shot("case-audit")
	b.checkProblems()
	b.signOut()

	// The prosecutor sees the approved pack only, downloads it and the
	// page verifies it; the file is the pack's bytes.
	b.signIn("pros", pw("pros"))
	b.waitFor("the prosecutor's cases", fmt.Sprintf(`[...document.querySelectorAll("table.data a")].some(a => a.textContent === %q)`, ref))
	b.shot("prosecutor-cases")
	b.open("#/cases/"+ref+"/packs", "#pack-1")
	if n := b.count("#pack-2"); n != 0 {
		t.Error("a prosecutor sees a rejected pack")
	}
	tabs := eval[[]string](b, `[...document.querySelectorAll("nav.tabs a")].map(a => a.textContent)`)
	if strings.Join(tabs, ",") != "Packs" {
		t.Errorf("a prosecutor's case tabs: %v, want Packs only", tabs)
	}
	b.run("download", chromedp.Click(chromedp.CSS("#download-1")))
	b.waitFor("the pack verified", `!!document.querySelector("#verify-result")`)
	b.shot("prosecutor-pack-verified")
	if b.count("#verify-result.good") != 1 {
		t.Errorf("the pack did not verify in the browser: %q", b.text("#verify-result"))
	}
	// The page's check of a pack refuses what is not the pack the log
	// recorded: other bytes, a proof that does not lead to the root, a
	// checkpoint whose signature is not the log's.
	type checks struct {
		Good, Tampered, BadProof, BadSignature []*bool
	}
	got := eval[checks](b, `(async () => {
		const api = await import("/static/js/api.js"), v = await import("/static/js/verify.js");
		const pack = await api.get("/cases/`+ref+`/packs/1");
		const bytes = await (await api.fetchRaw("/cases/`+ref+`/packs/1/download")).arrayBuffer();
		const rc = await api.get("/cases/`+ref+`/provenance/" + pack.pack_leaf + "/receipt");
		const log = await api.get("/checkpoint");
		const oks = (steps) => steps.map((s) => s.ok);
		const other = new Uint8Array(bytes.slice(0));
		other[100] ^= 1;
		const sig = rc.checkpoint.replace(/(\n— \S+ )(\S{20})(\S)/, (m, a, b, c) => a + b + (c === "A" ? "B" : "A"));
		return {
			Good: oks(await v.verifyPack(bytes, pack, rc, log)),
			Tampered: oks(await v.verifyPack(other.buffer, pack, rc, log)),
			BadProof: oks(await v.verifyPack(bytes, pack, { ...rc, proof: rc.proof.slice(1) }, log)),
			BadSignature: oks(await v.verifyPack(bytes, pack, { ...rc, checkpoint: sig }, log)),
		};
	})()`, chromedp.EvalAwaitPromise)
	str := func(oks []*bool) string {
		var s []string
		for _, ok := range oks {
			switch {
			case ok == nil:
				s = append(s, "?")
			case *ok:
				s = append(s, "ok")
			default:
				s = append(s, "FAIL")
			}
		}
		return strings.Join(s, " ")
	}
	for _, tc := range []struct {
		name string
		got  []*bool
		want string
	}{
		{"the pack", got.Good, "ok ok ok ok ok ok"},
		{"other bytes", got.Tampered, "FAIL"},
		{"a proof one hash short", got.BadProof, "ok ok FAIL"},
		{"a forged signature", got.BadSignature, "ok ok ok ok FAIL ok"},
	} {
		if s := str(tc.got); s != tc.want {
			t.Errorf("checking %s in the page: steps %s, want %s", tc.name, s, tc.want)
		}
	}

	zip := waitDownload(t, b.download)
	var pk struct{ SHA256 string }
	e.admin.must("GET", "/cases/"+ref+"/packs/1", nil, http.StatusOK, &pk)
	if got := fileSHA256(t, zip); got != pk.SHA256 {
		t.Errorf("downloaded %s: sha256 %s, the pack's is %s", zip, got, pk.SHA256)
	}

	// ...and is refused on a case that is not theirs, as if it did not exist.
	b.open("#/cases/OP-OTHER/packs", ".alert")
	b.shot("prosecutor-refused")
	if msg := b.text(".alert"); !strings.Contains(msg, "no case") {
		t.Errorf("prosecutor on another case: %q", msg)
	}
	refused := false
	for _, rec := range e.audit() {
		if rec.User == "pros" && rec.Case == "OP-OTHER" && rec.Outcome == "not-found" {
			refused = true
		}
	}
	if !refused {
		t.Error("the prosecutor's attempt on OP-OTHER is not in the audit trail")
	}
	b.checkProblems()
	b.signOut()

	// An admin's pages: users and the whole audit trail.
	b.signIn("boss", pw("boss"))
	b.open("#/users", "#create-user")
	b.shot("users")
	b.open("#/audit", "table.audit")
	b.shot("audit")
	b.open("#/account", "#create-token")
	b.run("issue a token",
		chromedp.SendKeys(chromedp.CSS("#create-token input[name=label]"), "scripts"),
		chromedp.Click(chromedp.CSS("#create-token button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#new-token")))
	if tok := b.text("#new-token"); !strings.HasPrefix(tok, "cst_") {
		t.Errorf("token shown: %q", tok)
	}
	b.shot("account")
	b.checkProblems()
	t.Logf("screenshots in %s", b.shots)
}

// waitDownload waits for one finished download in dir (bounded).
func waitDownload(t *testing.T, dir string) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ents, _ := os.ReadDir(dir)
		var done []string
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".zip") {
				done = append(done, e.Name())
			}
		}
		sort.Strings(done)
		if len(done) > 0 {
			return filepath.Join(dir, done[0])
		}
		if time.Now().After(deadline) {
			t.Fatalf("no download in %s after a minute (%d entries)", dir, len(ents))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func fileSHA256(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestBrowserTimes checks the page's dates and times in chromium: the UK
// form with its basis, GMT and BST, and times typed in UK local time, with
// the hours that did not exist or happened twice at the clock changes
// refused rather than guessed.
func TestBrowserTimes(t *testing.T) {
	e := newEnv(t, envOptions{})
	b := newBrowser(t, e)
	b.run("open the page", chromedp.Navigate(e.srv.URL+"/#/login"), chromedp.WaitVisible(chromedp.CSS("#login")))
	got := eval[map[string]string](b, `(async () => {
		const f = await import("/static/js/format.js");
		const err = (fn) => { try { return "ok " + fn(); } catch (e) { return "refused: " + e.message; } };
		return {
			utc: f.utc("2026-07-01T12:00:00Z"),
			bst: f.local("2026-07-01T12:00:00Z"),
			gmt: f.local("2026-01-15T08:05:09Z"),
			midnight: f.local("2026-06-30T23:30:00Z"),
			zero: f.utc("0001-01-01T00:00:00Z"),
			parseUTC: err(() => f.parse("05/03/2026 14:30:00", "utc")),
			parseBST: err(() => f.parse("01/07/2026 13:00", "uk-local")),
			parseGMT: err(() => f.parse("1/12/2026 09:15:30", "uk-local")),
			spring: err(() => f.parse("29/03/2026 01:30:00", "uk-local")),
			autumn: err(() => f.parse("25/10/2026 01:30:00", "uk-local")),
			afterAutumn: err(() => f.parse("25/10/2026 02:30:00", "uk-local")),
			feb31: err(() => f.parse("31/02/2026 10:00", "utc")),
			us: err(() => f.parse("2026-03-05 14:30", "utc")),
		};
	})()`, chromedp.EvalAwaitPromise)
	want := map[string]string{
		"utc":         "01/07/2026 12:00:00 UTC",
		"bst":         "01/07/2026 13:00:00 BST",
		"gmt":         "15/01/2026 08:05:09 GMT",
		"midnight":    "01/07/2026 00:30:00 BST",
		"zero":        "",
		"parseUTC":    "ok 2026-03-05T14:30:00Z",
		"parseBST":    "ok 2026-07-01T12:00:00Z",
		"parseGMT":    "ok 2026-12-01T09:15:30Z",
		"spring":      "refused: 29/03/2026 01:30:00 did not exist in UK local time (the clocks went forward)",
		"autumn":      "refused: 25/10/2026 01:30:00 happened twice in UK local time (the clocks went back): give it in UTC",
		"afterAutumn": "ok 2026-10-25T02:30:00Z",
		"feb31":       `refused: "31/02/2026 10:00" is not a real date and time`,
		"us":          `refused: "2026-03-05 14:30" is not a date and time such as 05/03/2026 14:30:00`,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	b.checkProblems()
}
