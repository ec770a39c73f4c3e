package odailies

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// Clip answers can be large (thousands of clips); PATCH answers are small.
const (
	clipsAnswerMax = 64 << 20
	patchAnswerMax = 1 << 20
)

// Clips fetches every clip of the project, keyed by clip name, from the v1
// answer {"data":{"message":{name:{…}}}}. Numbers are json.Number. An empty
// message (an object, an array or null) gives an empty map.
func (c *Client) Clips(ctx context.Context) (map[string]Clip, error) {
	const op = "get clips"
	a, err := c.call(ctx, op, http.MethodGet, c.endpoint("clips", ""), nil, clipsAnswerMax)
	if err != nil {
		return nil, c.scrub(err)
	}
	clips, err := decodeClips(op, a.body)
	return clips, c.scrub(err)
}

// decodeClips reads the v1 clips answer.
func decodeClips(op string, body []byte) (map[string]Clip, error) {
	var env struct {
		Data *struct {
			Message json.RawMessage `json:"message"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, protocolError(op, "answer is not the v1 clips shape: "+excerpt(string(body)))
	}
	if env.Data == nil || env.Data.Message == nil {
		return nil, protocolError(op, `field "data.message" is missing`)
	}
	msg := bytes.TrimSpace(env.Data.Message)
	if string(msg) == "null" || string(msg) == "[]" {
		return map[string]Clip{}, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(msg, &raw); err != nil {
		return nil, protocolError(op, `field "data.message" is not an object`)
	}
	return decodeClipMap(op, raw)
}

func decodeClipMap(op string, raw map[string]json.RawMessage) (map[string]Clip, error) {
	clips := make(map[string]Clip, len(raw))
	for name, v := range raw {
		clip, err := decodeClip(v)
		if err != nil {
			return nil, protocolError(op, fmt.Sprintf("clip %q is not an object", name))
		}
		clips[name] = clip
	}
	return clips, nil
}

// decodeClip decodes one clip object, keeping numbers as json.Number.
func decodeClip(raw json.RawMessage) (Clip, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var clip Clip
	if err := dec.Decode(&clip); err != nil {
		return nil, err
	}
	if clip == nil {
		return nil, fmt.Errorf("null clip")
	}
	return clip, nil
}

// PatchClips sends {"data":[…]}: each clip's fields replace the stored
// ones, other fields stay. Every clip needs a non-empty string "name"; the
// call is refused before sending otherwise. It returns the answer body
// (nil when the server sent none).
func (c *Client) PatchClips(ctx context.Context, clips []Clip) (json.RawMessage, error) {
	const op = "patch clips"
	body, err := patchBody(clips)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	a, err := c.call(ctx, op, http.MethodPatch, c.endpoint("clips", ""), body, patchAnswerMax)
	if err != nil {
		return nil, c.scrub(err)
	}
	if len(bytes.TrimSpace(a.body)) == 0 {
		return nil, nil
	}
	if !json.Valid(a.body) {
		return nil, c.scrub(protocolError(op, "answer is not JSON: "+excerpt(string(a.body))))
	}
	return json.RawMessage(a.body), nil
}

// patchBody checks names and encodes the request.
func patchBody(clips []Clip) ([]byte, error) {
	for i, clip := range clips {
		if name, ok := clip["name"].(string); !ok || name == "" {
			return nil, fmt.Errorf("clip %d has no name", i)
		}
	}
	if clips == nil {
		clips = []Clip{}
	}
	return json.Marshal(struct {
		Data []Clip `json:"data"`
	}{clips})
}
