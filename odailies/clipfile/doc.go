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
// # Notations
//
// Numbers are read in the notations camera and dailies tools write them
// in (stops with ARRI tenths "2.8 + 3/10", shutter times "1/48", "885 mm",
// feet and inches, "EI 800", "29.97 DF", several date layouts): see
// parseNumber and README-clips.md's value table for what each is sent as.
// A shutter time becomes an angle only once the item's frame rate is known
// (resolveShutter), so every reader resolves it after typing an item.
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
// warnings. With Options.SkipInvalid a CSV or ALE cell that cannot be read
// is left out and listed in Report.Skipped instead. No input makes these
// functions panic.
package clipfile
