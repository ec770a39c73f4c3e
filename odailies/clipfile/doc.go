// Package clipfile reads clip metadata from the files people keep it in (a
// JSON list, a spreadsheet saved as CSV, an Avid Log Exchange file) and from
// command-line arguments, and turns it into the items of a v1 clips PATCH.
//
// # Formats
//
// JSON: an array of items, a PATCH body {"data": [items]}, or items keyed by
// clip name (what `clips get -json` prints, bare or in a saved GET answer).
// CSV: a header row of v1 keys, then one clip per row. ALE: Avid's
// tab-separated Heading / Column / Data layout; columns are mapped onto v1
// keys by name (see aleNames), the rest skipped with a warning. README-clips.md
// has the full mapping table.
//
// # What a result holds
//
// Every item has a non-empty "name"; no name appears twice in one file.
// Every other key is a v1 wire key (odailies.Fields) unless
// Options.AllowUnknown is set, and its value has the key's kind: string,
// bool or float64. "date" is always yyyyMMdd and a real calendar day.
//
// # Empty means "leave it alone"
//
// An empty (or blank) cell in CSV or ALE leaves the field out of the item,
// so the server keeps what it has: a PATCH only changes the keys it carries.
// To set a string field to "" use JSON or a key= argument.
//
// # Errors
//
// Parse reports every bad row it finds (up to a limit), each as a *RowError
// naming the line and, where one is at fault, the key. Problems that do not
// make a row wrong, such as ALE columns with no v1 key, come back as
// warnings. No input makes these functions panic.
package clipfile
