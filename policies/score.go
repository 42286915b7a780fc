package policies

// Summary counts one repository's outcomes. Applicable is M in "N of M golden-path
// rules pass": rules that ran (pass, fail, error), not skipped ones.
type Summary struct {
	Passed     int     `json:"passed"`
	Failed     int     `json:"failed"`
	Errored    int     `json:"errored"`
	Skipped    int     `json:"skipped"`
	Exempt     int     `json:"exempt"`
	NotJudged  int     `json:"not_judged,omitempty"` // skipped: the evaluation was partial
	Applicable int     `json:"applicable"`
	Score      float64 `json:"score"`
}

// severityWeight makes a failing error-severity rule cost more than an info one.
var severityWeight = map[Severity]float64{SeverityError: 3, SeverityWarning: 2, SeverityInfo: 1}

// Summarize counts results and computes the weighted score in percent: an exempted
// rule counts as passed, a rule that does not apply is left out. With nothing
// applicable the score is 100.
func Summarize(results []Result) Summary {
	var s Summary
	var got, total float64
	for _, r := range results {
		w := severityWeight[r.Severity]
		switch r.Status {
		case StatusPass:
			s.Passed++
			got += w
			total += w
		case StatusFail:
			s.Failed++
			total += w
		case StatusError:
			s.Errored++
			total += w
		case StatusSkip:
			s.Skipped++
			if r.NotJudged {
				s.NotJudged++
			}
			if r.Exempt {
				s.Exempt++
				got += w
				total += w
			}
		}
	}
	s.Applicable = s.Passed + s.Failed + s.Errored
	s.Score = 100
	if total > 0 {
		s.Score = float64(int(got/total*1000+0.5)) / 10
	}
	return s
}

// AspectMaturity is where a set of repositories stands on one aspect.
type AspectMaturity struct {
	Aspect string `json:"aspect"`
	// Level is the highest level reached: at least the threshold share of the
	// repositories assessed at that level pass every rule of the aspect at that
	// level and below. It is never above the highest assessed level.
	Level     int    `json:"level"`
	LevelName string `json:"level_name"`
	// Repositories counts those for which some rule of the aspect applies.
	Repositories int `json:"repositories"`
	// AtLevel[L] counts applicable repositories whose own highest level is L (0–4).
	AtLevel [5]int `json:"at_level"`
	// Assessed[L] says whether some rule of the aspect at level L (1–4) applied to
	// some repository; a level that is not assessed is neither passed nor failed.
	Assessed [5]bool `json:"assessed"`
}

// HighestAssessed is the highest level some rule applied at, 0 when none did.
func (m AspectMaturity) HighestAssessed() int { return highestAssessed(m.Assessed) }

// Maturity scores each aspect for a set of repositories, each given by its results,
// as a cumulative ladder over the assessed levels: level L counts when at least the
// threshold share of the repositories assessed at L pass every assessed level up
// to L. A level no rule applies at anywhere is not assessed: it is stepped over,
// and the ladder ends at the highest assessed level.
func Maturity(repos [][]Result, threshold float64) []AspectMaturity {
	out := make([]AspectMaturity, 0, len(Aspects))
	for _, aspect := range Aspects {
		m := AspectMaturity{Aspect: aspect}
		ladders := make([]aspectLadder, 0, len(repos))
		for _, results := range repos {
			l := ladderOf(results, aspect)
			if l.level < 0 {
				continue
			}
			ladders = append(ladders, l)
			m.AtLevel[l.level]++
			for level := 1; level <= 4; level++ {
				m.Assessed[level] = m.Assessed[level] || l.assessed[level]
			}
		}
		m.Repositories = len(ladders)
		for level := 1; level <= 4; level++ {
			assessed, passing := 0, 0
			for _, l := range ladders {
				if l.assessed[level] {
					assessed++
					if l.firstFailure > level {
						passing++
					}
				}
			}
			if assessed == 0 {
				continue
			}
			if float64(passing) < threshold*float64(assessed) {
				break
			}
			m.Level = level
		}
		m.LevelName = LevelNames[m.Level]
		out = append(out, m)
	}
	return out
}

// AspectLevels is one repository's own level on each aspect some rule of which
// applies to it, on the same ladder as Maturity.
func AspectLevels(results []Result) map[string]int {
	out := map[string]int{}
	for _, aspect := range Aspects {
		if l := ladderOf(results, aspect); l.level >= 0 {
			out[aspect] = l.level
		}
	}
	return out
}

// aspectLadder is one repository on one aspect: the levels some rule applies at,
// the lowest level with a failing rule (5 when none fails), and the level reached:
// the highest assessed level below the first failure (0 when none is, -1 when no
// rule of the aspect applies).
type aspectLadder struct {
	assessed     [5]bool
	firstFailure int
	level        int
}

func ladderOf(results []Result, aspect string) aspectLadder {
	l := aspectLadder{firstFailure: 5, level: -1}
	for _, r := range results {
		if r.Aspect != aspect || r.Level < 1 || r.Level > 4 {
			continue
		}
		if r.Status == StatusSkip && !r.Exempt {
			continue
		}
		l.assessed[r.Level] = true
		if r.Status == StatusFail || r.Status == StatusError {
			l.firstFailure = min(l.firstFailure, r.Level)
		}
	}
	if highestAssessed(l.assessed) == 0 {
		return l
	}
	l.level = 0
	for level := 1; level < l.firstFailure; level++ {
		if l.assessed[level] {
			l.level = level
		}
	}
	return l
}

func highestAssessed(assessed [5]bool) int {
	for level := 4; level >= 1; level-- {
		if assessed[level] {
			return level
		}
	}
	return 0
}
