// Package web holds the browser interface of the service: one HTML page,
// its stylesheet and its JavaScript modules, with Leaflet vendored for the
// map, all embedded in the binary. Nothing is built: the files are served
// as they are, and they load nothing from outside the service.
package web
