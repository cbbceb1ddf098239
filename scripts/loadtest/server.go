package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is a `cellsite serve` process started for the run.
type server struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:PORT/api/v1
	token   string // the first-start admin's token
	logPath string
	exited  chan struct{}
	waitErr error
}

// startServer starts `bin serve` on a random loopback port with a new data
// directory, and reads the admin token and the address from what it prints
// on first start. Its log (stderr) goes to logPath.
func startServer(ctx context.Context, bin, data, logPath string, workers int) (*server, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child has its own descriptor
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", data, "--no-demo", "--workers", strconv.Itoa(workers))
	cmd.Env = append(os.Environ(), "CELLSITE_DATA=", "CELLSITE_PROFILES=", "CELLSITE_TEMPLATES=")
	cmd.Stderr = logf
	// Its own process group: a terminal's interrupt reaches the clients
	// first, and this program shuts the server down after them. It is
	// interrupted if this program dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s serve: %w", bin, err)
	}
	s := &server{cmd: cmd, logPath: logPath, exited: make(chan struct{})}

	type banner struct {
		base, token string
		err         error
	}
	got := make(chan banner, 1)
	go func() {
		var b banner
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if t, ok := strings.CutPrefix(strings.TrimSpace(line), "token:"); ok {
				b.token = strings.TrimSpace(t)
			}
			if _, rest, ok := strings.Cut(line, " serving on "); ok {
				b.base, _, _ = strings.Cut(rest, " ")
				break
			}
		}
		if b.base == "" || b.token == "" {
			b.err = fmt.Errorf("the server printed no address and admin token (see %s)", logPath)
		}
		got <- b
		_, _ = io.Copy(io.Discard, out) // never let the server block on stdout
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	select {
	case b := <-got:
		if b.err != nil {
			s.kill()
			return nil, b.err
		}
		s.base, s.token = b.base, b.token
		return s, nil
	case <-time.After(60 * time.Second):
		s.kill()
		return nil, fmt.Errorf("the server did not start within 60 s (see %s)", logPath)
	case <-ctx.Done():
		s.kill()
		return nil, ctx.Err()
	}
}

func (s *server) pid() int { return s.cmd.Process.Pid }

func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// alive reports whether the server is still running.
func (s *server) alive() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// memory reads the server's peak and current resident set sizes, in bytes,
// from /proc.
func (s *server) memory() (peak, now int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.pid()))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || (k != "VmHWM" && k != "VmRSS") {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return 0, 0, fmt.Errorf("/proc status: %q", line)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc status: %q", line)
		}
		if k == "VmHWM" {
			peak = n << 10
		} else {
			now = n << 10
		}
	}
	if peak == 0 {
		return 0, 0, errors.New("/proc status has no VmHWM")
	}
	return peak, now, nil
}

// cpu returns the CPU time (user and system, all threads) the server has
// used so far, from /proc/PID/stat, whose unit is USER_HZ: 1/100 s on Linux.
func (s *server) cpu() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.pid()))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: fields start after it.
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b)[i+1:])
	if i < 0 || len(f) < 13 {
		return 0, fmt.Errorf("/proc stat: %q", b)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14 of proc(5)
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("/proc stat: %w", err)
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

// selfCPU returns the CPU time this program has used so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// shutdown interrupts the server, as an operator's Ctrl-C would, and waits
// for it to exit. It returns how long that took, the CPU time the server
// used over its life, and an error if it did not exit cleanly in time.
func (s *server) shutdown(limit time.Duration) (took, cpu time.Duration, err error) {
	start := time.Now()
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil && s.alive() {
		return 0, 0, err
	}
	select {
	case <-s.exited:
	case <-time.After(limit):
		s.kill()
		return time.Since(start), 0, fmt.Errorf("the server did not stop within %v of an interrupt; killed", limit)
	}
	took = time.Since(start)
	if st := s.cmd.ProcessState; st != nil {
		cpu = st.UserTime() + st.SystemTime()
	}
	if s.waitErr != nil {
		return took, cpu, fmt.Errorf("the server exited with %v (see %s)", s.waitErr, s.logPath)
	}
	return took, cpu, nil
}

// logProblems returns the server log's lines at level ERROR, and how many
// WARN lines there were.
func logProblems(path string) (errs []string, warns int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.Contains(line, `"level":"ERROR"`):
			errs = append(errs, line)
		case strings.Contains(line, `"level":"WARN"`):
			warns++
		}
	}
	return errs, warns, sc.Err()
}
