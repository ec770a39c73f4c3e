package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/odailies/odailies-uploader/odailies"
)

// sendPatches sends the batches in order and says how far it got. A
// failed request stops the rest: the batches already sent stay applied.
func sendPatches(ctx context.Context, c *cli, configPath string, batches [][]odailies.Clip, total int) error {
	cfg, err := c.config(configPath)
	if err != nil {
		return err
	}
	client, err := apiClient(cfg)
	if err != nil {
		return err
	}
	done := 0
	for i, batch := range batches {
		if _, err := client.PatchClips(ctx, batch); err != nil {
			err = clipsCall{perm: "Write", verb: "change"}.explain(err, cfg)
			return partialError(err, done, total, i, len(batches))
		}
		done += len(batch)
	}
	fmt.Fprintf(c.stdout, "updated %s in %s\n", plural(done, "clip"), plural(len(batches), "request"))
	return nil
}

// partialError adds to err how much was sent before it, when anything was.
func partialError(err error, done, total, sent, requests int) error {
	if sent == 0 {
		return err
	}
	return fmt.Errorf("updated %d of %d clips (%d of %d requests) before a request failed; the rest were not sent: %w",
		done, total, sent, requests, err)
}

// plural is "1 clip", "2 clips".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// dryRun prints each request body, indented, one JSON document per request,
// and a summary on stderr. It reads no config and needs no token.
func dryRun(c *cli, batches [][]odailies.Clip, total int) error {
	for _, batch := range batches {
		body, err := patchBodyJSON(batch)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(c.stdout, "%s\n", body); err != nil {
			return err
		}
	}
	fmt.Fprintf(c.stderr, "odailies-uploader: dry run: would update %s in %s; nothing was sent\n",
		plural(total, "clip"), plural(len(batches), "request"))
	return nil
}

// patchBodyJSON is the request body {"data":[…]} as a person reads it:
// indented, each item's name first, then the v1 keys in Fields order, then
// any others sorted. The server sees the same keys and values.
func patchBodyJSON(batch []odailies.Clip) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`{"data":[`)
	for i, clip := range batch {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := writeOrderedClip(&buf, clip); err != nil {
			return nil, err
		}
	}
	buf.WriteString(`]}`)
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return nil, fmt.Errorf("format request body: %w", err)
	}
	return out.Bytes(), nil
}

// writeOrderedClip writes one item as a JSON object in clipKeyOrder.
func writeOrderedClip(buf *bytes.Buffer, clip odailies.Clip) error {
	buf.WriteByte('{')
	for i, key := range clipKeyOrder(clip) {
		k, err := json.Marshal(key)
		if err != nil {
			return fmt.Errorf("encode key %q: %w", key, err)
		}
		v, err := json.Marshal(clip[key])
		if err != nil {
			return fmt.Errorf("encode clip %v, key %q: %w", clip["name"], key, err)
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return nil
}

// clipKeyOrder is the clip's keys in Fields order, then the others sorted.
func clipKeyOrder(clip odailies.Clip) []string {
	keys := make([]string, 0, len(clip))
	for _, f := range odailies.Fields {
		if _, ok := clip[f.Name]; ok {
			keys = append(keys, f.Name)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(clip)) {
		if _, known := odailies.FieldKind(k); !known {
			keys = append(keys, k)
		}
	}
	return keys
}
