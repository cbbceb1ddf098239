// Package synth generates synthetic, fully known test data for Cellsite:
// call data records and cell site lists in every shipped layout, with real
// UK cells, invented subscribers, and a truth.json that says exactly what
// each file contains, so that ingestion and analysis can be checked against
// known answers (the regression corpus the Forensic Science Regulator's
// Code expects of a validated method).
//
// # Scenarios
//
//   - meeting (the default): two phones on different networks over seven
//     days from Monday 2 March 2026, each with a home, a workplace and a
//     daily routine, and one planted meeting of about 45 minutes.
//   - gang: five phones over 28 days from Monday 9 March 2026 (BST starts
//     on day 20): three planted meetings among different members, a
//     handset swap, a SIM swap, calls and messages among them and to
//     others, a common contact and four call chains.
//   - dst: two phones of operators that export UK local time, over 24-26
//     October 2026 (the hour 01:00-01:59 on the 25th happens twice) and
//     28-30 March 2026 (the hour 01:00-01:59 on the 29th never happens; one
//     planted row was written with the winter offset and falls in it).
//   - profiles: about 40 data rows for every shipped profile, CDR and cell
//     list alike, over two days from Monday 4 May 2026: per-profile samples.
//   - scale: one phone and 1,000,000 events (Options.Events) in the
//     canonical cellsite-cdr layout, from Monday 6 January 2025, for
//     benchmarks.
//
// The same scenario and seed always give byte-identical files: every random
// choice comes from a PCG stream seeded from the seed and the purpose of the
// choice, and every time from the scenario's fixed epoch.
//
// # How records are made
//
// Each person has a home near a real site of their phone's network, a
// workplace and a few haunts at other real sites, and a routine in UK local
// time (commute, lunch, evenings out, weekends). Each event is drawn at an
// instant, the carrier's true position at that instant is interpolated
// from the routine, and the serving cell is chosen among the cells of the
// phone's network near it: one of the four nearest sites, weighted towards
// the nearest, and the sector whose azimuth points most nearly towards the
// phone, with some randomness. Voice calls have durations and a last cell
// where the call ended; data records share a charging ID when they belong
// to one session; a third of SMS rows name no cell.
//
// # How files are written
//
// Files are written from the profiles alone (templates/profiles): the
// header is each field's first column name (or the column positions of a
// headerless profile); times use the profile's first time format in its
// time basis (Excel serial numbers, Unix times, UK local time, or a fixed
// offset left implied when the profile supplies it); durations, cells,
// event types and directions are written as the profile reads them
// (aliases chosen in sorted order); numbers appear in national and
// international forms. Cells are the real LTE cells of the embedded lists
// (cells/, MIT licence); a layout that knows only LAC and CI gets a
// GSM-style twin of each cell (LAC from the eNodeB, CI from the eNodeB's
// low bits and the sector). A profile's first file type decides CSV or
// XLSX. Every row written is read back with the ingest package's own
// functions for the first rows of each file, so a profile that cannot be
// written faithfully is an error naming it.
//
// Operators' layouts get the mess of real exports, each instance recorded:
// banner lines above the header, footers the profile recognises, a BOM and
// CRLF line ends, leading apostrophes, hexadecimal cells, SMS rows without
// cells, two exact duplicate rows, an IMEI with a wrong check digit, and
// two malformed rows (a date of 31 February, a target number with letters).
// Cell lists get a duplicate row and a site with its position "TBC"; the
// real lists' azimuths of 360 are kept.
//
// # truth.json
//
// Written with two-space indentation; times are RFC 3339 in UTC; numbers
// are E.164; cells are canonical keys (MCC-MNC-ECI, or MCC-MNC-LAC-CI for
// GSM-style twins).
//
//	scenario, seed, epoch, end    the scenario, its seed and its period [epoch, end)
//	phones[]                      label, msisdn, network (MCC-MNC), profile (of its CDR files),
//	                              imsi, imeis[] {imei, from, to}, home and work
//	                              {lat, lon, cell, site_lat, site_lon, served[]}: the cell that
//	                              best serves the place and that cell's mast position; served[]
//	                              the cells that actually served the phone there (sorted, no
//	                              repeats, empty if no event happened there)
//	meetings[]                    phones[] (MSISDNs), start, end, lat, lon, and cells[]
//	                              {msisdn, cells[]}: the first cells each phone's rows name
//	                              during the meeting
//	handset_swaps[]               msisdn, imei_from, imei_to, at
//	sim_swaps[]                   msisdn, imei (the other phone's handset), owner (that
//	                              phone's MSISDN, out of service meanwhile), from, to
//	call_chains[]                 links[] {from, to, start}
//	files[]                       path, kind (cdr, cells), profile, profile_version, format
//	                              (csv, xlsx), sheet, target, network, time_basis; the
//	                              physical rows: bom, lines, banner[], blank, header_row,
//	                              footer[]; the data rows: rows = accepted + duplicates +
//	                              rejected, duplicates[] {row, of}, rejects[] {row, code,
//	                              reason}; warnings {code: count} as an ingest must report
//	                              them; apostrophes, hex_cells, sms_without_cell,
//	                              national_numbers (over accepted rows); first, last
//	track[]                       one per event row of every CDR file (duplicates included,
//	                              rejected rows not): file, row, time (the true instant),
//	                              type, direction, lat, lon (the true position), cell and
//	                              last_cell (the keys an ingest must derive from the row),
//	                              time_flag (ambiguous or impossible when the written UK
//	                              local time is), duplicate_of
//
// A phone's served cells at its home (or workplace) are recorded as the
// records are made: the first cell of every event that started while the
// phone's carrier was staying at the place, not travelling to or from it,
// and the last cell of every call or data session that ended there. They
// are the cells that really served the phone at the place, whoever carried
// it there; the best server (cell) is a geometric reference that need not
// be among them.
//
// Row numbers are CSV line numbers or worksheet row numbers, from 1, as an
// ingest reports them. An ambiguous local time is read by an ingest as its
// first occurrence, so a row in the second occurrence reads one hour
// earlier than its true time.
package synth
