package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/goldenpath/goldenpath/policies"
)

func fixtureTitles() map[string]string {
	titles := map[string]string{}
	for _, r := range fixtureRules {
		titles[r.id] = r.title
	}
	return titles
}

// reportForm is what Build reads of an evaluation: the rest is dropped on storing.
func reportForm(ev *policies.Evaluation) *policies.Evaluation {
	out := *ev
	out.Repository = ""
	out.Results = make([]policies.Result, len(ev.Results))
	for i, r := range ev.Results {
		r.Message, r.Files, r.Remediation = "", nil, ""
		out.Results[i] = r
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
		"all outcomes": evaluation(fixtureRules, "a", "team-a", "pfex-"),
		"partial":      partial,
		"no owner":     evaluation(fixtureRules, "b", "", "ppppp"),
		"hostile text": hostile,
		"no results":   {Schema: 1, Repository: "c", Summary: policies.Summary{Score: 100}},
		"unknown aspect and severity": {Schema: 1, Repository: "d", Results: []policies.Result{
			{Rule: "custom.x", Title: "custom.x", Aspect: "", Level: 0, Severity: "", Status: policies.StatusFail},
		}},
	}
	for name, ev := range tests {
		t.Run(name, func(t *testing.T) {
			data, err := EncodeOutcome(ev)
			if err != nil {
				t.Fatal(err)
			}
			got, err := NewOutcomeDecoder(fixtureTitles()).Decode(data)
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
	full := basicRepos()
	dec := NewOutcomeDecoder(fixtureTitles())
	var stored []Repo
	for _, r := range full {
		data, err := EncodeOutcome(r.Evaluation)
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
	good, err := EncodeOutcome(evaluation(fixtureRules, "a", "team-a", "pfex-"))
	if err != nil {
		t.Fatal(err)
	}
	corrupt := map[string]string{
		"empty":              "",
		"other format":       "o2\n" + string(good[3:]),
		"truncated":          string(good[:len(good)/2]),
		"bad counts":         strings.Replace(string(good), "\n1 ", "\nx ", 1),
		"bad status":         strings.Replace(string(good), "\npe", "\nqe", 1),
		"unquoted owner":     strings.Replace(string(good), `"team-a"`, "team-a", 1),
		"broken extra":       string(good) + "{\"problems\":\n",
		"result without ID":  strings.TrimSuffix(string(good), "\n") + "\npe01-\n",
		"level out of range": strings.Replace(string(good), "\npe11", "\npe1\x7f", 1),
	}
	for name, data := range corrupt {
		t.Run(name, func(t *testing.T) {
			if _, err := NewOutcomeDecoder(nil).Decode([]byte(data)); err == nil {
				t.Fatalf("decoded %q without an error", data)
			}
		})
	}
	if _, err := EncodeOutcome(&policies.Evaluation{Results: []policies.Result{{Rule: "a\nb", Status: policies.StatusPass}}}); err == nil {
		t.Fatal("encoded a rule ID with a newline")
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
		if data[i], err = EncodeOutcome(r.Evaluation); err != nil {
			b.Fatal(err)
		}
		for _, res := range r.Evaluation.Results {
			titles[res.Rule] = res.Title
		}
	}
	b.ResetTimer()
	for b.Loop() {
		dec := NewOutcomeDecoder(titles)
		for _, d := range data {
			if _, err := dec.Decode(d); err != nil {
				b.Fatal(err)
			}
		}
	}
}
