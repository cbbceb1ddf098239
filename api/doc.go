// Package api serves Cellsite over HTTP: routes, handlers, authentication,
// per-case access and the audit trail. Handlers depend on small interfaces
// declared here, next to their use.
package api
