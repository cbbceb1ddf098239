package cellsite

import (
	"runtime"
	"runtime/debug"
)

// Version is the release version of this build. Release builds set it with
// -ldflags "-X github.com/cellsite/cellsite.Version=v1.2.3"; otherwise the
// module version recorded by the Go toolchain is used.
var Version = ""

// Software identifies the program that did a step, as recorded in provenance.
type Software struct {
	Module    string `json:"module"`
	Version   string `json:"version"`
	Revision  string `json:"revision"` // VCS revision, with "+dirty" if modified; "" when not recorded
	GoVersion string `json:"go_version"`
}

// Build returns the identity of the running program.
func Build() Software {
	s := Software{Module: "github.com/cellsite/cellsite", Version: Version, GoVersion: runtime.Version()}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		if s.Version == "" {
			s.Version = "unknown"
		}
		return s
	}
	if bi.Main.Path != "" {
		s.Module = bi.Main.Path
	}
	if s.Version == "" {
		s.Version = bi.Main.Version
	}
	if s.Version == "" {
		s.Version = "(devel)"
	}
	var modified bool
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision":
			s.Revision = kv.Value
		case "vcs.modified":
			modified = kv.Value == "true"
		}
	}
	if modified && s.Revision != "" {
		s.Revision += "+dirty"
	}
	return s
}
