package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/goldenpath/goldenpath/policies"
)

// An outcome is what a report needs of one evaluation, stored beside it so that
// aggregating an organisation of 100,000 repositories decodes a few hundred bytes
// per repository rather than the whole evaluation (messages, files and
// remediations take 16 KB). It is line-based, one result per line:
//
//	o1
//	"owner" "component type"
//	passed failed errored skipped exempt applicable score
//	<status><severity><aspect><level><x exempt|n not judged|-> rule-id
//	...
//	{"problems":[…],"expired_exemptions":[…],"partial":"…"}   (only when there are any)
//
// Rule titles are not stored: the decoder takes them from the rules in force.
const outcomeHeader = "o1"

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

// EncodeOutcome encodes what the report needs of ev.
func EncodeOutcome(ev *policies.Evaluation) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(outcomeHeader + "\n")
	b.WriteString(strconv.Quote(ev.Owner) + " " + strconv.Quote(ev.ComponentType) + "\n")
	s := ev.Summary
	fmt.Fprintf(&b, "%d %d %d %d %d %d %s\n", s.Passed, s.Failed, s.Errored, s.Skipped, s.Exempt, s.Applicable,
		strconv.FormatFloat(s.Score, 'f', -1, 64))
	for _, r := range ev.Results {
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
			return nil, fmt.Errorf("encode outcome of %s: status %q of %s", ev.Repository, r.Status, r.Rule)
		}
		aspect := byte('-')
		for i, a := range policies.Aspects {
			if a == r.Aspect {
				aspect = byte('0' + i)
			}
		}
		if r.Level < 0 || r.Level > 9 || r.Rule == "" || strings.ContainsAny(r.Rule, "\n\r") {
			return nil, fmt.Errorf("encode outcome of %s: rule %q at level %d", ev.Repository, r.Rule, r.Level)
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

type outcomeExtra struct {
	Problems []policies.Problem          `json:"problems,omitempty"`
	Expired  []policies.ExpiredExemption `json:"expired_exemptions,omitempty"`
	Partial  string                      `json:"partial,omitempty"`
}

// OutcomeDecoder decodes outcomes into evaluations holding what Build reads. It
// shares the strings that repeat from one repository to the next.
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

var errOutcome = errors.New("corrupt stored outcome")

// Decode decodes one outcome.
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
	if h, ok := line(); !ok || string(h) != outcomeHeader {
		return nil, errOutcome
	}
	ev := &policies.Evaluation{Schema: 1}
	names, ok := line()
	if !ok {
		return nil, errOutcome
	}
	var err error
	if ev.Owner, ev.ComponentType, err = d.quotedPair(names); err != nil {
		return nil, err
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
	for len(data) > 0 && data[0] != '{' {
		l, ok := line()
		if !ok || len(l) < 7 || l[5] != ' ' {
			return nil, errOutcome
		}
		r, err := d.result(l)
		if err != nil {
			return nil, err
		}
		ev.Results = append(ev.Results, r)
		if r.NotJudged {
			ev.Summary.NotJudged++
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

func (d *OutcomeDecoder) quotedPair(b []byte) (string, string, error) {
	s := string(b)
	first, err := strconv.QuotedPrefix(s)
	if err != nil || len(s) <= len(first) || s[len(first)] != ' ' {
		return "", "", errOutcome
	}
	a, err1 := strconv.Unquote(first)
	c, err2 := strconv.Unquote(s[len(first)+1:])
	if err1 != nil || err2 != nil {
		return "", "", errOutcome
	}
	return d.str([]byte(a)), d.str([]byte(c)), nil
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
