package report

// The store keeps what the report reads of each evaluation in its outcome
// encoding (server/store's EncodeOutcome): these tests hold that encoding to
// what Build reads, with the report's fixtures.

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/store"
)

func fixtureTitles() map[string]string {
	titles := map[string]string{}
	for _, r := range fixtureRules {
		titles[r.id] = r.title
	}
	return titles
}

// reportForm is what Build reads of an evaluation: the rest is dropped on
// storing, and a lone component's results follow the repository rules'.
func reportForm(ev *policies.Evaluation) *policies.Evaluation {
	out := *ev
	out.Repository, out.Notes = "", nil
	out.Schema = policies.InputSchema
	strip := func(results []policies.Result) []policies.Result {
		out := make([]policies.Result, 0, len(results))
		for _, r := range results {
			r.Message, r.Files, r.Remediation = "", nil, ""
			out = append(out, r)
		}
		return out
	}
	out.Results = strip(ev.Results)
	if len(ev.Components) == 1 {
		slices.SortStableFunc(out.Results, func(a, b policies.Result) int {
			return cmp.Compare(a.Scope, b.Scope) * -1 // repository before component
		})
	}
	out.Components = make([]policies.Component, len(ev.Components))
	for i, c := range ev.Components {
		out.Components[i] = policies.Component{Name: c.Name, Ref: c.Ref, Path: c.Path, Type: c.Type, Owner: c.Owner, Results: strip(c.Results)}
	}
	if len(ev.Components) == 0 {
		out.Components = nil
	}
	return &out
}

func TestOutcomeRoundTrip(t *testing.T) {
	hostile := evaluation(fixtureRules, "x", "team \"q\"\n@acme/ops \u00e9", "pfex-")
	hostile.ComponentType = "lib\rrary"
	hostile.Results[0].Files = []policies.FileRef{{Path: "catalog-info.yaml", Line: 3}}
	hostile.Results[0].Remediation = "add an owner"
	hostile.Problems = []policies.Problem{{Source: "golden-path.yaml", Line: 2, Message: "unknown key\n\"x\""}}
	hostile.ExpiredExemptions = []policies.ExpiredExemption{{Rule: "docs.readme", Reason: "wiki", Expires: "2026-01-31"}}
	partial := evaluation(fixtureRules, "p", "team-p", "pnnp-")
	partial.Partial = "listed 61000 of ? paths: request budget of 200 reached"
	tests := map[string]*policies.Evaluation{
		"all outcomes":   evaluation(fixtureRules, "a", "team-a", "pfex-"),
		"partial":        partial,
		"no owner":       evaluation(fixtureRules, "b", "", "ppppp"),
		"hostile text":   hostile,
		"lone component": loneComponent(evaluation(fixtureRules, "l", "team-l", "pfex-")),
		"three components": components(evaluation(fixtureRules, "m", "team-a", "ppfpf"),
			component{"payments", "team-pay", "ppxp"}, component{"ledger", "team \"l\"\n", "pfpn"}, component{"web", "", "f-p-"}),
		"no results": {Schema: 1, Repository: "c", Summary: policies.Summary{Score: 100}},
		"unknown aspect and severity": {Schema: 1, Repository: "d", Results: []policies.Result{
			{Rule: "custom.x", Title: "custom.x", Aspect: "", Level: 0, Severity: "", Status: policies.StatusFail},
		}},
	}
	for name, ev := range tests {
		t.Run(name, func(t *testing.T) {
			data, err := store.EncodeOutcome(ev)
			if err != nil {
				t.Fatal(err)
			}
			got, err := store.NewOutcomeDecoder(fixtureTitles()).Decode(data)
			if err != nil {
				t.Fatalf("Decode: %v\n%s", err, data)
			}
			want, _ := json.Marshal(reportForm(ev))
			if g, _ := json.Marshal(got); string(g) != string(want) {
				t.Fatalf("round trip:\n got %s\nwant %s", g, want)
			}
		})
	}
}

// TestReportFromOutcomes: a report built from stored outcomes is the report built
// from the full evaluations.
func TestReportFromOutcomes(t *testing.T) {
	full := append(basicRepos(),
		Repo{Name: "mono", EvaluatedAt: now, Evaluation: components(evaluation(fixtureRules, "mono", "team-pay", "ppfpf"),
			component{"payments", "team-pay", "ppxp"}, component{"ledger", "team-ledger", "fpp-"}, component{"web", "", "pfpn"})},
		Repo{Name: "svc", EvaluatedAt: now, Evaluation: loneComponent(evaluation(fixtureRules, "svc", "team-pay", "pfppp"))})
	dec := store.NewOutcomeDecoder(fixtureTitles())
	var stored []Repo
	for _, r := range full {
		data, err := store.EncodeOutcome(r.Evaluation)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := dec.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, Repo{Name: r.Name, Evaluation: ev, EvaluatedAt: r.EvaluatedAt})
	}
	want, _ := json.Marshal(Build("acme", full, basicOrg(), basicHistory(), now))
	got, _ := json.Marshal(Build("acme", stored, basicOrg(), basicHistory(), now))
	if string(got) != string(want) {
		t.Fatalf("report from outcomes differs:\n got %s\nwant %s", got, want)
	}
}

func TestOutcomeRejects(t *testing.T) {
	good, err := store.EncodeOutcome(evaluation(fixtureRules, "a", "team-a", "pfex-"))
	if err != nil {
		t.Fatal(err)
	}
	goodLone, err := store.EncodeOutcome(loneComponent(evaluation(fixtureRules, "a", "team-a", "pfex-")))
	if err != nil {
		t.Fatal(err)
	}
	corrupt := map[string]string{
		"empty":              "",
		"other format":       "o3\n" + string(good[3:]),
		"truncated":          string(good[:len(good)/2]),
		"bad counts":         strings.Replace(string(good), "\n1 ", "\nx ", 1),
		"bad status":         strings.Replace(string(good), "\npe", "\nqe", 1),
		"unquoted owner":     strings.Replace(string(good), `"team-a"`, "team-a", 1),
		"broken extra":       string(good) + "{\"problems\":\n",
		"result without ID":  strings.TrimSuffix(string(good), "\n") + "\npe01-\n",
		"level out of range": strings.Replace(string(good), "\npe11", "\npe1\x7f", 1),
		"o1 header, o2 body": "o1\n" + string(good[3:]),
		"component count":    strings.Replace(string(good), `"team-a" "service" 0`, `"team-a" "service" x`, 1),
		"component missing":  strings.Replace(string(good), `"team-a" "service" 0`, `"team-a" "service" 1`, 1),
		"component too many": strings.Replace(string(goodLone), "\nc ", "\nc \"x\" \"\" \".\" \"\" \"\"\nc ", 1),
		"component unquoted": strings.Replace(string(goodLone), `c "a"`, `c a`, 1),
		"component short":    strings.Replace(string(goodLone), ` "team-a"`+"\n", "\n", 1),
	}
	for name, data := range corrupt {
		t.Run(name, func(t *testing.T) {
			if _, err := store.NewOutcomeDecoder(nil).Decode([]byte(data)); err == nil {
				t.Fatalf("decoded %q without an error", data)
			}
		})
	}
	if _, err := store.EncodeOutcome(&policies.Evaluation{Results: []policies.Result{{Rule: "a\nb", Status: policies.StatusPass}}}); err == nil {
		t.Fatal("encoded a rule ID with a newline")
	}
	differs := loneComponent(evaluation(fixtureRules, "a", "team-a", "pfex-"))
	differs.Components[0].Results[0].Status = policies.StatusFail
	if _, err := store.EncodeOutcome(differs); err == nil {
		t.Fatal("encoded a lone component whose results are not the repository's")
	}
}

// TestOutcomeOldRows: rows stored before components (format o1) still decode,
// as evaluations without components.
func TestOutcomeOldRows(t *testing.T) {
	tests := []struct {
		name, row string
		want      *policies.Evaluation
	}{
		{"results and problems", "o1\n\"team-a\" \"service\"\n1 1 0 1 1 2 57.1\npe11- catalog.owner\nfw11- docs.readme\nse31x ci.present\n" +
			`{"problems":[{"source":"golden-path.yaml","line":2,"message":"unknown key"}],"partial":"budget"}` + "\n",
			&policies.Evaluation{Schema: 1, Owner: "team-a", ComponentType: "service",
				Summary: policies.Summary{Passed: 1, Failed: 1, Skipped: 1, Exempt: 1, Applicable: 2, Score: 57.1},
				Results: []policies.Result{
					{Rule: "catalog.owner", Title: "Catalog names an owner", Aspect: "adoption", Level: 1, Severity: policies.SeverityError, Status: policies.StatusPass},
					{Rule: "docs.readme", Title: "README present", Aspect: "adoption", Level: 1, Severity: policies.SeverityWarning, Status: policies.StatusFail},
					{Rule: "ci.present", Title: "CI workflow present", Aspect: "operations", Level: 1, Severity: policies.SeverityError, Status: policies.StatusSkip, Exempt: true},
				},
				Problems: []policies.Problem{{Source: "golden-path.yaml", Line: 2, Message: "unknown key"}}, Partial: "budget"}},
		{"no owner, no results", "o1\n\"\" \"library\"\n0 0 0 0 0 0 100\n",
			&policies.Evaluation{Schema: 1, ComponentType: "library", Summary: policies.Summary{Score: 100}, Results: []policies.Result{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := store.NewOutcomeDecoder(fixtureTitles()).Decode([]byte(tc.row))
			if err != nil {
				t.Fatal(err)
			}
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(tc.want)
			if string(g) != string(w) {
				t.Fatalf("decoded\n got %s\nwant %s", g, w)
			}
		})
	}
}

// BenchmarkDecodeOutcomes decodes 100,000 stored outcomes of 20 rules, the work a
// report of such an organisation adds to Build.
func BenchmarkDecodeOutcomes(b *testing.B) {
	repos := largeRepos(100_000)
	data := make([][]byte, len(repos))
	titles := map[string]string{}
	for i, r := range repos {
		var err error
		if data[i], err = store.EncodeOutcome(r.Evaluation); err != nil {
			b.Fatal(err)
		}
		for _, res := range r.Evaluation.Results {
			titles[res.Rule] = res.Title
		}
	}
	b.ResetTimer()
	for b.Loop() {
		dec := store.NewOutcomeDecoder(titles)
		for _, d := range data {
			if _, err := dec.Decode(d); err != nil {
				b.Fatal(err)
			}
		}
	}
}
