// Package geo converts cell site positions between ETRS89 latitude and
// longitude (as given by GPS and most cell lists) and Ordnance Survey
// National Grid eastings and northings (OSGB36, as used on British maps),
// and answers the geometric questions an analyst asks of them: how far
// apart two points are, where a bearing and distance lead, and how a
// true-north azimuth appears on a National Grid map.
//
// The conversion is the Ordnance Survey's definitive OSTN15 transformation:
// the National Grid's transverse Mercator projection, computed with the
// Ordnance Survey's own formulae, followed by the OSTN15 grid of shifts. It
// reproduces all 40 of the Ordnance Survey's published test points, in both
// directions, to the millimetre. It is defined only inside the OSTN15 grid,
// the rectangle from 0 to 700 km east and 0 to 1250 km north of the National
// Grid's false origin; points outside it are reported as errors
// ([ErrOutsideGrid]), never converted approximately. Heights are not
// converted.
//
// Because the Ordnance Survey's projection formulae are truncated series,
// [ToGrid] and [FromGrid] are not exact inverses of each other far from the
// central meridian (2°W). A position converted there and back returns to
// within 1 mm anywhere within about 270 km of it (eastings 130 to 670 km),
// and in practice over all of Great Britain but the western Outer Hebrides
// and St Kilda, where the difference reaches a few millimetres; at the
// grid's far west edge it is about 11 mm. The Ordnance Survey's own test
// data show the same: its test point TP31 on St Kilda comes from
// 9587.906,899449.000 in one direction and goes to 9587.909,899448.996 in
// the other.
//
// Distances and destinations are computed on the WGS84 ellipsoid, which has
// the shape of ETRS89's GRS80 ellipsoid to within 0.1 mm, so they serve
// ETRS89 and WGS84 positions alike. (The two frames themselves differ by
// under a metre in the United Kingdom, which matters only when positions
// from both are mixed.)
//
// The package imports only the standard library and carries the OSTN15
// data inside the binary, so it needs no files or network at run time.
package geo
