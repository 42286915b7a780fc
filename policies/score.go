package policies

// Summary counts one repository's outcomes. Applicable is M in "N of M golden-path
// rules pass": rules that ran (pass, fail, error), not skipped ones.
type Summary struct {
	Passed     int     `json:"passed"`
	Failed     int     `json:"failed"`
	Errored    int     `json:"errored"`
	Skipped    int     `json:"skipped"`
	Exempt     int     `json:"exempt"`
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
	// applicable repositories pass every rule of the aspect at that level and below.
	Level     int    `json:"level"`
	LevelName string `json:"level_name"`
	// Repositories counts those for which some rule of the aspect applies.
	Repositories int `json:"repositories"`
	// AtLevel[L] counts applicable repositories whose own highest level is L (0–4).
	AtLevel [5]int `json:"at_level"`
}

// Maturity scores each aspect for a set of repositories, each given by its results,
// as a cumulative ladder: level L counts only if every level below it does.
func Maturity(repos [][]Result, threshold float64) []AspectMaturity {
	out := make([]AspectMaturity, 0, len(Aspects))
	for _, aspect := range Aspects {
		m := AspectMaturity{Aspect: aspect}
		ladders := make([]aspectLadder, 0, len(repos))
		for _, results := range repos {
			l := ladderOf(results, aspect)
			if l.applicableFrom > 0 {
				ladders = append(ladders, l)
				m.AtLevel[l.level]++
			}
		}
		m.Repositories = len(ladders)
		for level := 1; level <= 4 && len(ladders) > 0; level++ {
			applicable, passing := 0, 0
			for _, l := range ladders {
				if l.applicableFrom <= level {
					applicable++
					if l.level >= level {
						passing++
					}
				}
			}
			// A level no rule applies at yet is passed vacuously.
			if float64(passing) < threshold*float64(applicable) {
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
		if l := ladderOf(results, aspect); l.applicableFrom > 0 {
			out[aspect] = l.level
		}
	}
	return out
}

// aspectLadder is one repository on one aspect: from which level some rule applies
// (0 = none does), and the highest level up to which it passes every rule.
type aspectLadder struct {
	applicableFrom int
	level          int
}

func ladderOf(results []Result, aspect string) aspectLadder {
	l := aspectLadder{level: 4}
	for _, r := range results {
		if r.Aspect != aspect || r.Level < 1 || r.Level > 4 {
			continue
		}
		if r.Status == StatusSkip && !r.Exempt {
			continue
		}
		if l.applicableFrom == 0 || r.Level < l.applicableFrom {
			l.applicableFrom = r.Level
		}
		if (r.Status == StatusFail || r.Status == StatusError) && r.Level-1 < l.level {
			l.level = r.Level - 1
		}
	}
	if l.applicableFrom == 0 {
		l.level = 0
	}
	return l
}
