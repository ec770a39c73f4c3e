package dashboard

import "time"

// The throughput history: one sample every historyStep, the last hour.
const (
	historyStep = 5 * time.Second
	historyLen  = int(time.Hour / historyStep)
)

// history is a ring of rate samples (bytes per second): the total and
// each show's, in Source order. A show added or removed (the config
// changed between runs) cannot happen within a process.
type history struct {
	step  time.Duration
	at    []time.Time
	total []float64
	shows [][]float64
	next  int // where the next sample goes
	n     int // samples held, up to len(at)
}

func newHistory(step time.Duration, n int) *history {
	return &history{step: step, at: make([]time.Time, n), total: make([]float64, n), shows: make([][]float64, n)}
}

// add records one sample.
func (h *history) add(t time.Time, total float64, shows []float64) {
	h.at[h.next], h.total[h.next], h.shows[h.next] = t, total, shows
	h.next = (h.next + 1) % len(h.at)
	h.n = min(h.n+1, len(h.at))
}

// Series is a throughput graph's data: sample times (Unix seconds) and
// the rates, oldest first.
type Series struct {
	StepSeconds int         `json:"step_s"`
	At          []int64     `json:"at"`
	Total       []float64   `json:"total"`
	Shows       [][]float64 `json:"shows"` // per show, in the view's order
}

// series copies the ring out, oldest first, for nShows shows.
func (h *history) series(nShows int) Series {
	s := Series{StepSeconds: int(h.step / time.Second), At: make([]int64, 0, h.n),
		Total: make([]float64, 0, h.n), Shows: make([][]float64, nShows)}
	for i := range nShows {
		s.Shows[i] = make([]float64, 0, h.n)
	}
	for k := range h.n {
		i := (h.next - h.n + k + len(h.at)) % len(h.at)
		s.At = append(s.At, h.at[i].Unix())
		s.Total = append(s.Total, h.total[i])
		for j := range nShows {
			v := 0.0
			if j < len(h.shows[i]) {
				v = h.shows[i][j]
			}
			s.Shows[j] = append(s.Shows[j], v)
		}
	}
	return s
}
