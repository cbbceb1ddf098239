package api

import (
	"net/http"

	"github.com/gorilla/mux"
)

// routes is the one table of the service's routes. Every route of the API
// but the document, the health check and /me is audited: whatever reads or
// changes case data, users, tokens, jobs, the log or the audit trail. The
// web interface's page and files (routes named web.*) hold no case data.
func (s *server) routes(r *mux.Router) {
	r.Handle("/", s.webIndex()).Methods("GET", "HEAD").Name("web.index")
	r.PathPrefix("/static/").Handler(s.webStatic()).Methods("GET", "HEAD").Name("web.static")
	v1 := r.PathPrefix("/api/v1").Subrouter()
	v1.Handle("/openapi.yaml", handleOpenAPI()).Methods("GET").Name("openapi")
	v1.Handle("/health", s.handleHealth()).Methods("GET").Name("health")
	v1.Handle("/login", s.audited("login", s.handleLogin())).Methods("POST").Name("login")
	v1.Handle("/me", s.authed(s.me)).Methods("GET").Name("me")
	v1.Handle("/tokens", s.audited("tokens.create", s.authed(s.createToken))).Methods("POST").Name("tokens.create")
	v1.Handle("/users", s.audited("users.read", s.authed(s.listUsers))).Methods("GET").Name("users.list")
	v1.Handle("/users", s.audited("users.create", s.authed(s.createUser))).Methods("POST").Name("users.create")
	v1.Handle("/checkpoint", s.audited("provenance.checkpoint", s.authed(s.checkpoint))).Methods("GET").Name("provenance.checkpoint")
	v1.Handle("/verify", s.audited("provenance.verify", s.authed(s.verifyLog))).Methods("POST").Name("provenance.verify")
	v1.Handle("/audit", s.audited("audit.export", s.authed(s.exportAudit))).Methods("GET").Name("audit.export")
	v1.Handle("/jobs/{id}", s.audited("jobs.read", s.authed(s.getJob))).Methods("GET").Name("jobs.get")
	v1.Handle("/jobs/{id}/cancel", s.audited("jobs.cancel", s.authed(s.cancelJob))).Methods("POST").Name("jobs.cancel")
	v1.Handle("/cases", s.audited("cases.list", s.authed(s.listCases))).Methods("GET").Name("cases.list")
	v1.Handle("/cases", s.audited("case.create", s.authed(s.createCase))).Methods("POST").Name("cases.create")
	c := v1.PathPrefix("/cases/{case}").Subrouter()
	c.Handle("", s.audited("case.read", s.authed(s.getCase))).Methods("GET").Name("cases.get")
	c.Handle("/members", s.audited("members.read", s.authed(s.listMembers))).Methods("GET").Name("members.list")
	c.Handle("/members", s.audited("members.add", s.authed(s.addMember))).Methods("POST").Name("members.add")
	c.Handle("/members/{user}", s.audited("members.remove", s.authed(s.removeMember))).Methods("DELETE").Name("members.remove")
	c.Handle("/sources", s.audited("sources.read", s.authed(s.listSources))).Methods("GET").Name("sources.list")
	c.Handle("/sources", s.audited("sources.upload", s.authed(s.uploadSource))).Methods("POST").Name("sources.upload")
	c.Handle("/rejects", s.audited("rejects.read", s.authed(s.listRejects))).Methods("GET").Name("rejects.list")
	c.Handle("/events", s.audited("events.read", s.authed(s.listEvents))).Methods("GET").Name("events.list")
	c.Handle("/analyses", s.audited("analyses.read", s.authed(s.listAnalyses))).Methods("GET").Name("analyses.list")
	c.Handle("/analyses", s.audited("analyses.run", s.authed(s.runAnalysis))).Methods("POST").Name("analyses.run")
	c.Handle("/analyses/{id}", s.audited("analyses.read", s.authed(s.getAnalysis))).Methods("GET").Name("analyses.get")
	c.Handle("/packs", s.audited("packs.read", s.authed(s.listPacks))).Methods("GET").Name("packs.list")
	c.Handle("/packs", s.audited("packs.request", s.authed(s.requestPack))).Methods("POST").Name("packs.request")
	c.Handle("/packs/{id}", s.audited("packs.read", s.authed(s.getPack))).Methods("GET").Name("packs.get")
	c.Handle("/packs/{id}/download", s.audited("packs.download", s.authed(s.downloadPack))).Methods("GET").Name("packs.download")
	c.Handle("/packs/{id}/review", s.audited("packs.review", s.authed(s.reviewPack))).Methods("POST").Name("packs.review")
	c.Handle("/maps", s.audited("maps.read", s.authed(s.listMaps))).Methods("GET").Name("maps.list")
	c.Handle("/maps/{id}", s.audited("maps.read", s.authed(s.getMap))).Methods("GET").Name("maps.get")
	c.Handle("/provenance", s.audited("provenance.read", s.authed(s.caseLeaves))).Methods("GET").Name("provenance.leaves")
	c.Handle("/provenance/{leaf}/receipt", s.audited("provenance.receipt", s.authed(s.receipt))).Methods("GET").Name("provenance.receipt")
	c.Handle("/triggers", s.audited("triggers.read", s.authed(s.listTriggers))).Methods("GET").Name("triggers.list")
	c.Handle("/triggers", s.audited("triggers.create", s.authed(s.createTrigger))).Methods("POST").Name("triggers.create")
	c.Handle("/triggers/{id}", s.audited("triggers.delete", s.authed(s.deleteTrigger))).Methods("DELETE").Name("triggers.delete")
	c.Handle("/audit", s.audited("audit.read", s.authed(s.caseAudit))).Methods("GET").Name("audit.case")
}

func (s *server) handleHealth() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}
