package notify

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/odailies/odailies-uploader/internal/redact"
	"github.com/odailies/odailies-uploader/internal/units"
)

// maxListed bounds the files a grouped failure message lists.
const maxListed = 20

// Message is the json format's body.
type Message struct {
	ID    string    `json:"id"`    // unique per message: a receiver may drop a repeat
	Event string    `json:"event"` // failure, health or caught-up
	Watch string    `json:"watch"` // the show; "" for the single-show form
	At    time.Time `json:"at"`
	Text  string    `json:"text"` // the message in words, as the slack format sends it

	// failure: every file of the message (Count of them; Files lists up
	// to maxListed)
	Count int          `json:"count,omitempty"`
	Files []FailedFile `json:"files,omitempty"`
	// health
	State  string `json:"state,omitempty"`
	Was    string `json:"was,omitempty"`
	Detail string `json:"detail,omitempty"`
	Paused bool   `json:"paused,omitempty"`
	// caught-up
	Folder     string `json:"folder,omitempty"`
	Day        string `json:"day,omitempty"`
	Uploaded   int    `json:"uploaded,omitempty"`
	Unverified int    `json:"unverified,omitempty"` // of Uploaded
	Bytes      int64  `json:"bytes,omitempty"`
	Failed     int    `json:"failed"`
}

// FailedFile is one file of a failure message.
type FailedFile struct {
	Watch  string `json:"watch"`
	Path   string `json:"path"`
	Reason string `json:"reason"`
	Fix    string `json:"fix"`
}

// Slack is the slack format's body: what Slack's and Mattermost's
// incoming webhooks take (text, and blocks Slack shows instead of it).
type Slack struct {
	Text   string       `json:"text"`
	Blocks []SlackBlock `json:"blocks,omitempty"`
}

// SlackBlock is a section block with mrkdwn text.
type SlackBlock struct {
	Type string    `json:"type"`
	Text SlackText `json:"text"`
}

// SlackText is a block's text object.
type SlackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// slackSectionMax is the length Slack allows a section's text.
const slackSectionMax = 3000

func render(format string, batch []event) ([]byte, error) {
	m := message(batch)
	if format != FormatSlack {
		return json.Marshal(m)
	}
	s := Slack{Text: m.Text}
	if len(m.Text) <= slackSectionMax {
		s.Blocks = []SlackBlock{{Type: "section", Text: SlackText{Type: "mrkdwn", Text: m.Text}}}
	}
	return json.Marshal(s)
}

// message is batch as one Message; batch is one health or caught-up
// event, or failures.
func message(batch []event) Message {
	e := batch[0]
	m := Message{ID: e.ID, Event: e.Kind, Watch: e.Show, At: e.At.UTC()}
	switch e.Kind {
	case EventFailure:
		failureMessage(&m, batch)
	case EventHealth:
		m.State, m.Was, m.Detail = e.State, e.Was, redact.URLsIn(e.Detail)
		m.Paused = e.State != "running"
		if m.Paused {
			m.Text = fmt.Sprintf("%suploads paused (%s): %s", showPrefix(e.Show), e.State, m.Detail)
		} else {
			m.Text = fmt.Sprintf("%suploads going again (was %s)", showPrefix(e.Show), e.Was)
		}
	case EventCaughtUp:
		_, day, _ := strings.Cut(e.Folder, "/")
		m.Folder, m.Day, m.Uploaded, m.Unverified, m.Bytes = e.Folder, day, e.Files, e.Unverified, e.Bytes
		m.Text = showPrefix(e.Show) + CaughtUpText(day, e.Folder, e.Files, e.Unverified, e.Bytes)
	}
	return m
}

// CaughtUpText is the summary a DIT forwards: "Day03 (_graded/Day03):
// 412 files, 38.2 GiB uploaded and verified, 0 failed". Files the storage
// did not verify (upload.verify = "none", or uploaded by a version before
// verification) are said so.
func CaughtUpText(day, folder string, files, unverified int, bytes int64) string {
	noun := "files"
	if files == 1 {
		noun = "file"
	}
	how := "uploaded and verified"
	switch {
	case unverified == files:
		how = "uploaded (not verified: upload.verify = \"none\" or an older version)"
	case unverified > 0:
		how = fmt.Sprintf("uploaded, %d of them not verified", unverified)
	}
	return fmt.Sprintf("%s (%s): %d %s, %s %s, 0 failed", day, folder, files, noun, units.Bytes(bytes), how)
}

func failureMessage(m *Message, batch []event) {
	m.Count = len(batch)
	var lines []string
	for i, e := range batch {
		if i >= maxListed {
			lines = append(lines, fmt.Sprintf("and %d more: run 'odailies-uploader status' on the machine", len(batch)-maxListed))
			break
		}
		f := FailedFile{Watch: e.Show, Path: e.Path, Reason: redact.URLsIn(e.Reason), Fix: e.Fix}
		m.Files = append(m.Files, f)
		lines = append(lines, fmt.Sprintf("%s%s: %s. Fix: %s", showPrefix(e.Show), f.Path, f.Reason, f.Fix))
	}
	m.Failed = len(batch)
	if len(batch) == 1 {
		m.Text = "upload failed: " + lines[0]
		return
	}
	if m.Watch != "" {
		for _, e := range batch {
			if e.Show != m.Watch {
				m.Watch = "" // several shows' files
				break
			}
		}
	}
	m.Text = fmt.Sprintf("%d uploads failed:\n%s", len(batch), strings.Join(lines, "\n"))
}

func showPrefix(show string) string {
	if show == "" {
		return ""
	}
	return "[" + show + "] "
}
