package format

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/goldenpath/goldenpath/policies"
)

// jsonWriter writes the evaluation's own JSON form (schema 1), indented. It leaves
// text as it is (JSON escapes control characters) and does not escape <, > and &,
// which only matter when JSON is pasted into HTML.
type jsonWriter struct{}

func (jsonWriter) Write(w io.Writer, ev *policies.Evaluation) error {
	if ev == nil {
		return errNoEvaluation
	}
	out := *ev
	if out.Schema == 0 {
		out.Schema = 1
	}
	// Scripts index results and files without a null check: both are always arrays.
	out.Results = make([]policies.Result, len(ev.Results))
	for i, r := range ev.Results {
		if r.Files == nil {
			r.Files = []policies.FileRef{}
		}
		out.Results[i] = r
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&out); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}
