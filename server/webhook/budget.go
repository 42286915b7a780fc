package webhook

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"

	"golang.org/x/sync/semaphore"
)

// streamChunk is how much of a body of unknown length (chunked encoding) is
// reserved from the budget before it is read.
const streamChunk = 64 << 10

// errBudgetExhausted: the bodies held at once already fill the budget.
var errBudgetExhausted = errors.New("webhook body budget exhausted")

// bodyBudget bounds the bytes that all webhook bodies being read, checked and
// handled hold at once. Bodies are buffered whole before their signature can be
// checked, so without it enough concurrent unsigned 25 MB requests exhaust the
// process's memory.
type bodyBudget struct {
	sem *semaphore.Weighted
}

func newBodyBudget(bytes int64) *bodyBudget {
	return &bodyBudget{sem: semaphore.NewWeighted(bytes)}
}

// read buffers r's body, reserving its bytes first: a declared Content-Length
// whole, before reading any of it (so that the bodies already admitted finish
// instead of all starving together), a body of unknown length chunk by chunk. It
// fails with errBudgetExhausted when the reservation does not fit, and with
// *http.MaxBytesError beyond maxBytes. release returns the reservation; call it
// once the body is no longer referenced, also after an error.
func (b *bodyBudget) read(r *http.Request, maxBytes int64) (raw []byte, release func(), err error) {
	var held int64
	release = func() {
		if held > 0 {
			b.sem.Release(held)
			held = 0
		}
	}
	if n := r.ContentLength; n >= 0 {
		if n > maxBytes {
			return nil, release, &http.MaxBytesError{Limit: maxBytes}
		}
		if !b.sem.TryAcquire(n) {
			return nil, release, errBudgetExhausted
		}
		held = n
		// The server ends the body at Content-Length; a shorter one is malformed.
		raw = make([]byte, n)
		if _, err := io.ReadFull(r.Body, raw); err != nil {
			return nil, release, fmt.Errorf("read webhook body: %w", err)
		}
		return raw, release, nil
	}
	var buf bytes.Buffer
	for {
		// Past maxBytes nothing more is reserved: one more byte read is refused 413.
		want := min(streamChunk, maxBytes-held)
		if want > 0 && !b.sem.TryAcquire(want) {
			return nil, release, errBudgetExhausted
		}
		held += want
		n, err := buf.ReadFrom(io.LimitReader(r.Body, max(want, 1)))
		if err != nil {
			return nil, release, fmt.Errorf("read webhook body: %w", err)
		}
		if n < want || want == 0 {
			return buf.Bytes(), release, nil
		}
	}
}
