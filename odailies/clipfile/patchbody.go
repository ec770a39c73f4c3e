package clipfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/odailies/odailies-uploader/odailies"
)

// PatchBody is the clips PATCH request body {"data":[…]} as a person reads it:
// indented, each item's name first, then the v1 keys in Fields order, then
// any others sorted. The server sees the same keys and values.
func PatchBody(batch []odailies.Clip) ([]byte, error) {
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
