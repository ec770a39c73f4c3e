package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/odailies/odailies-uploader/odailies"
	"github.com/odailies/odailies-uploader/odailies/clipfile"
)

// Batch sizes for `clips patch`: the default keeps each request body small
// (a few hundred kilobytes) however large the file.
const (
	defaultPatchBatch = 200
	maxPatchBatch     = 1000
)

// patchOptions are the flags of `clips patch`.
type patchOptions struct {
	config string
	file   string
	format string
	batch  int
	dryRun bool
	parse  clipfile.Options
	note   string // how many cells -skip-invalid left out, for the summary
}

// clipsPatch changes clip metadata from a file or from arguments.
func clipsPatch(ctx context.Context, c *cli, args []string) error {
	o, fs, err := c.patchFlags(args)
	if err != nil {
		return err
	}
	clips, err := c.patchItems(o, fs.Args())
	if err != nil {
		return err
	}
	if len(clips) == 0 {
		return usageErrorf("clips patch: %s holds no clips: nothing to send%s", inputName(o.file), o.note)
	}
	batches := clipfile.Batches(clips, o.batch)
	if o.dryRun {
		return dryRun(c, batches, len(clips), o.note)
	}
	return sendPatches(ctx, c, o.config, batches, len(clips), o.note)
}

// patchFlags parses the flags and checks that exactly one input is given.
func (c *cli) patchFlags(args []string) (*patchOptions, *flag.FlagSet, error) {
	fs, configPath := c.commandFlags("clips patch", "[options] (-f FILE | NAME key=value...)",
		"Change clip metadata. Only the keys given change; empty cells leave a field as it is.\n"+
			"FILE is JSON, CSV or an Avid ALE (by extension, or -format); '-' reads stdin.\n"+
			"With arguments, one clip: NAME then key=value pairs (flags go before NAME).\n"+
			"-dry-run prints the request bodies instead of sending; it reads no config.")
	o := &patchOptions{}
	fs.StringVar(&o.file, "f", "", "read the clips from `FILE` (.json, .csv or .ale; - for stdin)")
	fs.StringVar(&o.format, "format", "", "the file's `format` (json, csv or ale) when its extension does not say")
	fs.IntVar(&o.batch, "batch", defaultPatchBatch, "send at most `N` clips per request")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print the request bodies (JSON) and send nothing")
	fs.BoolVar(&o.parse.AllowUnknown, "allow-unknown", false, "send keys v1 does not list, as strings, instead of refusing them")
	fs.BoolVar(&o.parse.SkipInvalid, "skip-invalid", false, "leave out (and list) CSV/ALE cells that cannot be read, and send the rest")
	if err := c.parse(fs, args); err != nil {
		return nil, nil, err
	}
	o.config = *configPath
	if err := o.check(fs.NArg()); err != nil {
		fs.Usage()
		return nil, nil, err
	}
	return o, fs, nil
}

// check refuses flag combinations that cannot mean anything.
func (o *patchOptions) check(nargs int) error {
	switch {
	case o.file != "" && nargs > 0:
		return usageErrorf("clips patch: give either -f FILE or NAME key=value..., not both")
	case o.file == "" && nargs == 0:
		return usageErrorf("clips patch: nothing to change: give -f FILE or NAME key=value...")
	case o.file == "" && o.format != "":
		return usageErrorf("clips patch: -format only applies to -f FILE")
	case o.file == "-" && o.format == "":
		return usageErrorf("clips patch: reading stdin needs -format json, csv or ale")
	case o.batch < 1 || o.batch > maxPatchBatch:
		return usageErrorf("clips patch: -batch must be between 1 and %d", maxPatchBatch)
	}
	return nil
}

// patchItems reads the clips to send from -f or from the arguments.
func (c *cli) patchItems(o *patchOptions, args []string) ([]odailies.Clip, error) {
	if o.file == "" {
		return argItems(args, o.parse)
	}
	return c.fileItems(o)
}

// argItems is the one clip the arguments describe.
func argItems(args []string, opts clipfile.Options) ([]odailies.Clip, error) {
	for _, a := range args[1:] {
		if strings.HasPrefix(a, "-") && !strings.Contains(a, "=") {
			return nil, usageErrorf("clips patch: %q after the clip name: flags go before NAME", a)
		}
	}
	clip, err := clipfile.ParseArgs(args[0], args[1:], opts)
	if err != nil {
		return nil, &usageError{fmt.Errorf("clips patch %s: %w%s", args[0], err, clipfile.UnknownKeyHint(err))}
	}
	return []odailies.Clip{clip}, nil
}

// fileItems parses -f FILE, printing its warnings.
func (c *cli) fileItems(o *patchOptions) ([]odailies.Clip, error) {
	format, err := fileFormat(o)
	if err != nil {
		return nil, &usageError{fmt.Errorf("clips patch: %w", err)}
	}
	r, closeFile, err := c.openInput(o.file)
	if err != nil {
		return nil, err
	}
	defer closeFile()
	clips, rep, err := clipfile.Parse(r, format, o.parse)
	for _, w := range rep.Warnings {
		fmt.Fprintf(c.stderr, "odailies-uploader: warning: %s: %s\n", inputName(o.file), w)
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(c.stderr, "odailies-uploader: skipped: %s: %s\n", inputName(o.file), s)
	}
	if err != nil {
		return nil, &usageError{fmt.Errorf("clips patch: %s: nothing was sent:\n%w%s", inputName(o.file), err, clipfile.UnknownKeyHint(err))}
	}
	o.note = clipfile.SkippedNote(len(rep.Skipped))
	return clips, nil
}

// inputName is how messages name the -f input.
func inputName(file string) string {
	if file == "-" {
		return "stdin"
	}
	return file
}

// fileFormat is -format, or what the file's extension says.
func fileFormat(o *patchOptions) (clipfile.Format, error) {
	if o.format != "" {
		return clipfile.ParseFormat(o.format)
	}
	return clipfile.FormatOf(o.file)
}

// openInput opens path, or stdin for "-".
func (c *cli) openInput(path string) (io.Reader, func(), error) {
	if path == "-" {
		return c.stdin, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, &usageError{fmt.Errorf("clips patch: %w", err)}
	}
	return f, func() { f.Close() }, nil
}
