package odailies

import (
	"testing"
)

func FuzzDecodeSign(f *testing.F) {
	for _, s := range []string{
		`{"url":"https://h/k?s=1","expiresAt":"2026-04-22T10:15:00Z"}`,
		`{"data":{"url":"https://h/k","expiresAt":"2026-04-22T10:15:00.5+02:00"}}`,
		`{"data":null}`, `{"url":7}`, `[]`, `<html>`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := decodeSign("sign a", body)
		if err != nil {
			return
		}
		if s.URL == "" || s.ExpiresAt.IsZero() {
			t.Fatalf("decodeSign(%q) = %+v without an error", body, s)
		}
	})
}

func FuzzDecodeClips(f *testing.F) {
	for _, s := range []string{
		`{"data":{"message":{"a":{"name":"a","fps":25}}}}`,
		`{"data":{"message":[]}}`, `{"data":{"message":{"a":null}}}`, `{"data":[]}`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		clips, err := decodeClips("get clips", body)
		if err != nil {
			return
		}
		for name, clip := range clips {
			if clip == nil {
				t.Fatalf("decodeClips(%q): clip %q is nil", body, name)
			}
			for k, v := range clip {
				if _, isFloat := v.(float64); isFloat {
					t.Fatalf("decodeClips(%q): %s.%s is a float64, not a json.Number", body, name, k)
				}
			}
		}
	})
}
