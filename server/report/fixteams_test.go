package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/goldenpath/goldenpath/policies"
	"github.com/goldenpath/goldenpath/server/controls"
)

func TestFixTeamBoxes(t *testing.T) {
	teams := []FixTeam{
		{Team: "@acme/web", Repositories: 12},
		{Team: "evil's <b>team</b>\n- [x] Open fix pull requests for x's 1 repository", Repositories: 1,
			Progress: &FixProgress{Total: 1, Done: 1, Failed: 1, Problem: "permission <missing>"}},
	}
	var b strings.Builder
	writeFixTeams(&b, teams)
	body := b.String()
	if got := controls.FixTeamsRequested(body); len(got) != 0 {
		t.Fatalf("unticked boxes read as ticked: %q\n%s", got, body)
	}
	ticked := strings.ReplaceAll(body, "- [ ] Open", "- [x] Open")
	want := []string{FixLabel("@acme/web"), FixLabel(teams[1].Team)}
	if got := controls.FixTeamsRequested(ticked); !slices.Equal(got, want) {
		t.Errorf("ticked = %q, want %q\n%s", got, want, ticked)
	}
	for _, bad := range []string{"<b>", "\n- [x]", "@acme/web", "<missing>"} {
		if strings.Contains(body, bad) {
			t.Errorf("body holds %q:\n%s", bad, body)
		}
	}
	if !strings.Contains(body, "last request: 1 of 1 done, 1 failed") {
		t.Errorf("no progress line:\n%s", body)
	}
}

func TestTeams(t *testing.T) {
	tests := map[string]struct {
		ev   *policies.Evaluation
		want []string
	}{
		"without components": {evaluation(fixtureRules, "a", "team-a", "ppppp"), []string{"team-a"}},
		"lone component":     {loneComponent(evaluation(fixtureRules, "a", "team-a", "ppppp")), []string{"team-a"}},
		"no owner":           {evaluation(fixtureRules, "a", "", "ppppp"), []string{""}},
		"three components, two teams and none": {components(evaluation(fixtureRules, "m", "team-a", "ppppp"),
			component{"x", "team-b", "pppp"}, component{"y", "", "pppp"}, component{"z", "team-b", "pppp"}), []string{"team-b", ""}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Teams(tc.ev); !slices.Equal(got, tc.want) {
				t.Fatalf("Teams = %q, want %q", got, tc.want)
			}
		})
	}
}
