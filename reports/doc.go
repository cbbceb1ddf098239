// Package reports renders Cellsite's outputs to an io.Writer: Excel
// schedules, PDF reports with maps, and evidential packs that can be
// verified offline; it also runs report jobs and their cron triggers. Every
// renderer takes its clock as input, so the same inputs and version give the
// same bytes.
package reports
