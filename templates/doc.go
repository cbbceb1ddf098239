// Package templates holds Cellsite's built-in data files, embedded in the
// program: format profiles for operators' exports and cell lists, schedule
// templates, fonts and map styles. It contains data only.
package templates
