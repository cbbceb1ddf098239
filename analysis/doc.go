// Package analysis holds Cellsite's investigative methods as pure,
// deterministic functions over events and cells: cell resolution, timelines,
// co-location, pattern of life, contacts, attribution and tower dumps. The
// same input always gives the same output in the same order.
package analysis
