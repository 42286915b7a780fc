package format

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/goldenpath/goldenpath/policies"
)

// jsonWriter writes the evaluation's own JSON form (schema 2), indented. It leaves
// text as it is (JSON escapes control characters) and does not escape <, > and &,
// which only matter when JSON is pasted into HTML.
type jsonWriter struct{}

func (jsonWriter) Write(w io.Writer, ev *policies.Evaluation) error {
	if ev == nil {
		return errNoEvaluation
	}
	out := *ev
	if out.Schema == 0 {
		out.Schema = policies.InputSchema
	}
	// Scripts index components, results and files without a null check: all are
	// always arrays.
	out.Results = withFiles(ev.Results)
	out.Components = make([]policies.Component, len(ev.Components))
	for i, c := range ev.Components {
		c.Results = withFiles(c.Results)
		out.Components[i] = c
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&out); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

func withFiles(results []policies.Result) []policies.Result {
	out := make([]policies.Result, len(results))
	for i, r := range results {
		if r.Files == nil {
			r.Files = []policies.FileRef{}
		}
		out[i] = r
	}
	return out
}
