package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/goldenpath/goldenpath/policies"
)

// An outcome is what the report reads of one evaluation, stored beside it so that
// aggregating an organisation of 100,000 repositories decodes a few hundred bytes
// per repository rather than the whole evaluation (messages, files and
// remediations take 16 KB). It is line-based, one result per line:
//
//	o2
//	"owner" "component type" <number of components>
//	passed failed errored skipped exempt applicable score
//	<status><severity><aspect><level><x exempt|n not judged|-> rule-id
//	...
//	c "name" "ref" "path" "type" "owner"        (one per component)
//	<its component rules' results, as above>
//	{"problems":[…],"expired_exemptions":[…],"partial":"…"}   (only when there are any)
//
// With several components, the lines before the first component are the
// repository's results of every rule. A lone component's results are the
// repository's results of the component rules (the engine makes them so), so
// they are not written twice: the lines before it are the repository rules'
// results, its own lines the component rules', and the repository's results are
// both. Rule titles are not stored: the decoder takes them from the rules in
// force. Rows of format o1 (before components) still decode, without components.
const (
	outcomeHeader   = "o2"
	outcomeHeaderV1 = "o1"
)

// The one-letter codes of statuses and severities.
var (
	statusCodes = []struct {
		status policies.Status
		code   byte
	}{{policies.StatusPass, 'p'}, {policies.StatusFail, 'f'}, {policies.StatusSkip, 's'}, {policies.StatusError, 'e'}}
	severityCodes = []struct {
		severity policies.Severity
		code     byte
	}{{policies.SeverityError, 'e'}, {policies.SeverityWarning, 'w'}, {policies.SeverityInfo, 'i'}}
)

// EncodeOutcome encodes what the report reads of ev, as SaveRepoState and
// SaveOutcome store it.
func EncodeOutcome(ev *policies.Evaluation) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(outcomeHeader + "\n")
	b.WriteString(strconv.Quote(ev.Owner) + " " + strconv.Quote(ev.ComponentType) + " " + strconv.Itoa(len(ev.Components)) + "\n")
	s := ev.Summary
	fmt.Fprintf(&b, "%d %d %d %d %d %d %s\n", s.Passed, s.Failed, s.Errored, s.Skipped, s.Exempt, s.Applicable,
		strconv.FormatFloat(s.Score, 'f', -1, 64))
	lone := len(ev.Components) == 1
	for _, r := range ev.Results {
		if lone && r.Scope == policies.ScopeComponent {
			continue // written with the component
		}
		if err := encodeResult(&b, ev.Repository, r); err != nil {
			return nil, err
		}
	}
	for _, c := range ev.Components {
		if lone {
			if err := sameAsRepository(ev, c.Results); err != nil {
				return nil, err
			}
		}
		b.WriteString("c " + strconv.Quote(c.Name) + " " + strconv.Quote(c.Ref) + " " + strconv.Quote(c.Path) + " " +
			strconv.Quote(c.Type) + " " + strconv.Quote(c.Owner) + "\n")
		for _, r := range c.Results {
			if err := encodeResult(&b, ev.Repository, r); err != nil {
				return nil, err
			}
		}
	}
	if len(ev.Problems) > 0 || len(ev.ExpiredExemptions) > 0 || ev.Partial != "" {
		extra, err := json.Marshal(outcomeExtra{ev.Problems, ev.ExpiredExemptions, ev.Partial})
		if err != nil {
			return nil, err
		}
		b.Write(extra)
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

// sameAsRepository checks what the lone-component form relies on: the
// component's results are the repository's results of the component rules.
func sameAsRepository(ev *policies.Evaluation, results []policies.Result) error {
	i := 0
	for _, r := range ev.Results {
		if r.Scope != policies.ScopeComponent {
			continue
		}
		if i >= len(results) || results[i].Rule != r.Rule || results[i].Status != r.Status || results[i].Severity != r.Severity ||
			results[i].Exempt != r.Exempt || results[i].NotJudged != r.NotJudged {
			return fmt.Errorf("encode outcome of %s: the lone component's results differ from the repository's component rules", ev.Repository)
		}
		i++
	}
	if i != len(results) {
		return fmt.Errorf("encode outcome of %s: the lone component has %d results, the repository %d component rules", ev.Repository, len(results), i)
	}
	return nil
}

func encodeResult(b *bytes.Buffer, repo string, r policies.Result) error {
	st, sev := byte(0), byte('-')
	for _, c := range statusCodes {
		if c.status == r.Status {
			st = c.code
		}
	}
	for _, c := range severityCodes {
		if c.severity == r.Severity {
			sev = c.code
		}
	}
	if st == 0 {
		return fmt.Errorf("encode outcome of %s: status %q of %s", repo, r.Status, r.Rule)
	}
	aspect := byte('-')
	for i, a := range policies.Aspects {
		if a == r.Aspect {
			aspect = byte('0' + i)
		}
	}
	if r.Level < 0 || r.Level > 9 || r.Rule == "" || strings.ContainsAny(r.Rule, "\n\r") {
		return fmt.Errorf("encode outcome of %s: rule %q at level %d", repo, r.Rule, r.Level)
	}
	exempt := byte('-')
	switch {
	case r.Exempt:
		exempt = 'x'
	case r.NotJudged:
		exempt = 'n'
	}
	b.Write([]byte{st, sev, aspect, byte('0' + r.Level), exempt, ' '})
	b.WriteString(r.Rule)
	b.WriteByte('\n')
	return nil
}

type outcomeExtra struct {
	Problems []policies.Problem          `json:"problems,omitempty"`
	Expired  []policies.ExpiredExemption `json:"expired_exemptions,omitempty"`
	Partial  string                      `json:"partial,omitempty"`
}

// OutcomeDecoder decodes outcomes into evaluations holding what the report reads
// (server/report's Build). It shares the strings that repeat from one repository
// to the next.
type OutcomeDecoder struct {
	titles map[string]string
	intern map[string]string
}

// NewOutcomeDecoder decodes with titles (by rule ID) of the rules in force; a rule
// without one is titled by its ID.
func NewOutcomeDecoder(titles map[string]string) *OutcomeDecoder {
	return &OutcomeDecoder{titles: titles, intern: map[string]string{}}
}

func (d *OutcomeDecoder) str(b []byte) string {
	if s, ok := d.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	d.intern[s] = s
	return s
}

var errOutcome = fmt.Errorf("%w: outcome", ErrCorrupt)

// Decode decodes one outcome. With a lone component, the repository's results
// come back repository rules first, then the component rules (which are also
// the component's results); otherwise in the order stored. A decoded result's
// Scope is known only where components were stored.
func (d *OutcomeDecoder) Decode(data []byte) (*policies.Evaluation, error) {
	line := func() ([]byte, bool) {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return nil, false
		}
		l := data[:i]
		data = data[i+1:]
		return l, true
	}
	h, ok := line()
	if !ok || string(h) != outcomeHeader && string(h) != outcomeHeaderV1 {
		return nil, errOutcome
	}
	v1 := string(h) == outcomeHeaderV1
	ev := &policies.Evaluation{Schema: 1}
	names, ok := line()
	if !ok {
		return nil, errOutcome
	}
	fields, err := d.quoted(names, 2, !v1)
	if err != nil {
		return nil, err
	}
	ev.Owner, ev.ComponentType = fields[0], fields[1]
	ncomp := 0
	if !v1 {
		ev.Schema = policies.InputSchema
		if ncomp, err = strconv.Atoi(fields[2]); err != nil || ncomp < 0 {
			return nil, errOutcome
		}
	}
	sums, ok := line()
	if !ok {
		return nil, errOutcome
	}
	f := bytes.Fields(sums)
	if len(f) != 7 {
		return nil, errOutcome
	}
	counts := []*int{&ev.Summary.Passed, &ev.Summary.Failed, &ev.Summary.Errored, &ev.Summary.Skipped, &ev.Summary.Exempt, &ev.Summary.Applicable}
	for i, c := range counts {
		if *c, err = strconv.Atoi(string(f[i])); err != nil {
			return nil, errOutcome
		}
	}
	if ev.Summary.Score, err = strconv.ParseFloat(string(f[6]), 64); err != nil {
		return nil, errOutcome
	}
	ev.Results = make([]policies.Result, 0, ev.Summary.Passed+ev.Summary.Failed+ev.Summary.Errored+ev.Summary.Skipped)
	if ncomp > 0 {
		ev.Components = make([]policies.Component, 0, min(ncomp, len(data)/8))
	}
	start := 0 // of the lone component's results in the repository's
	for len(data) > 0 && data[0] != '{' {
		l, ok := line()
		if !ok {
			return nil, errOutcome
		}
		if len(l) > 2 && l[0] == 'c' && l[1] == ' ' {
			if len(ev.Components) == ncomp {
				return nil, errOutcome
			}
			fields, err := d.quoted(l[2:], 5, false)
			if err != nil {
				return nil, err
			}
			ev.Components = append(ev.Components, policies.Component{Name: fields[0], Ref: fields[1], Path: fields[2], Type: fields[3], Owner: fields[4]})
			if ncomp == 1 {
				start = len(ev.Results)
				for i := range ev.Results {
					ev.Results[i].Scope = policies.ScopeRepository
				}
			}
			continue
		}
		if len(l) < 7 || l[5] != ' ' {
			return nil, errOutcome
		}
		r, err := d.result(l)
		if err != nil {
			return nil, err
		}
		switch n := len(ev.Components); {
		case n == 0 || ncomp == 1:
			if n > 0 {
				r.Scope = policies.ScopeComponent
			}
			ev.Results = append(ev.Results, r)
			if r.NotJudged {
				ev.Summary.NotJudged++
			}
		default:
			r.Scope = policies.ScopeComponent
			ev.Components[n-1].Results = append(ev.Components[n-1].Results, r)
		}
	}
	if len(ev.Components) != ncomp {
		return nil, errOutcome
	}
	if ncomp == 1 {
		ev.Components[0].Results = ev.Results[start:len(ev.Results):len(ev.Results)]
	}
	if ncomp > 1 {
		componentRules := map[string]bool{}
		for _, r := range ev.Components[0].Results {
			componentRules[r.Rule] = true
		}
		for i := range ev.Results {
			ev.Results[i].Scope = policies.ScopeRepository
			if componentRules[ev.Results[i].Rule] {
				ev.Results[i].Scope = policies.ScopeComponent
			}
		}
	}
	if len(data) > 0 {
		var extra outcomeExtra
		if err := json.Unmarshal(data, &extra); err != nil {
			return nil, fmt.Errorf("%w: %v", errOutcome, err)
		}
		ev.Problems, ev.ExpiredExemptions, ev.Partial = extra.Problems, extra.Expired, extra.Partial
	}
	return ev, nil
}

// quoted reads n quoted strings separated by spaces, then, when more is true,
// one more unquoted field.
func (d *OutcomeDecoder) quoted(b []byte, n int, more bool) ([]string, error) {
	s := string(b)
	out := make([]string, 0, n+1)
	for i := range n {
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			return nil, errOutcome
		}
		v, err := strconv.Unquote(q)
		if err != nil {
			return nil, errOutcome
		}
		if known, ok := d.intern[v]; ok {
			v = known
		} else {
			d.intern[v] = v
		}
		out = append(out, v)
		s = s[len(q):]
		if i == n-1 && !more {
			if s != "" {
				return nil, errOutcome
			}
			break
		}
		if s == "" || s[0] != ' ' {
			return nil, errOutcome
		}
		s = s[1:]
	}
	if more {
		out = append(out, s)
	}
	return out, nil
}

func (d *OutcomeDecoder) result(l []byte) (policies.Result, error) {
	r := policies.Result{Rule: d.str(l[6:]), Level: int(l[3] - '0'), Exempt: l[4] == 'x', NotJudged: l[4] == 'n'}
	for _, c := range statusCodes {
		if c.code == l[0] {
			r.Status = c.status
		}
	}
	for _, c := range severityCodes {
		if c.code == l[1] {
			r.Severity = c.severity
		}
	}
	if a := int(l[2] - '0'); a >= 0 && a < len(policies.Aspects) {
		r.Aspect = policies.Aspects[a]
	}
	if r.Status == "" || r.Level < 0 || r.Level > 9 {
		return r, errOutcome
	}
	r.Title = d.titles[r.Rule]
	if r.Title == "" {
		r.Title = r.Rule
	}
	return r, nil
}
