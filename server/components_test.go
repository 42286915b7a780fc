package server

import (
	"encoding/json"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/githubfake"
	"github.com/goldenpath/goldenpath/server/report"
	"github.com/goldenpath/goldenpath/server/store"
)

// monorepoFiles is a repository of three Components, each described in its own
// directory and found through a root Location, each owned by its own team.
var monorepoFiles = map[string]string{
	"catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: shop\nspec:\n  targets:\n" +
		"    - ./services/payments/catalog-info.yaml\n    - ./services/ledger/catalog-info.yaml\n    - ./web/catalog-info.yaml\n",
	"services/payments/catalog-info.yaml": component("payments", "service", "team-payments"),
	"services/payments/README.md":         readme("payments"),
	"services/payments/Dockerfile":        "FROM scratch\n",
	"services/ledger/catalog-info.yaml":   component("ledger", "service", "team-ledger"),
	"services/ledger/Dockerfile":          "FROM scratch\n",
	"web/catalog-info.yaml":               component("web", "website", "team-web"),
	"web/README.md":                       readme("web"),
	"web/package.json":                    "{\"name\": \"web\"}\n",
}

// readme documents a component as docs.readme asks: a few lines of prose.
func readme(name string) string {
	return "# " + name + "\n\nThe " + name + " component of the shop takes care of one thing and does it well, day and night.\n" +
		"Run it locally with `make run`; its tests run with `make test` and need nothing but Go and Docker.\n" +
		"Deploy it through the shop's pipeline: every merge to main goes to staging, then to production.\n"
}

func component(name, typ, owner string) string {
	return "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: " + name +
		"\nspec:\n  type: " + typ + "\n  lifecycle: production\n  owner: " + owner + "\n"
}

// TestSweepKeepsComponents: a sweep of a monorepo with three Components owned by
// three teams stores the three components, the report counts each team once
// and the component rules three times, and the repository API returns the
// components in the shape of `goldenpath check --format json`.
func TestSweepKeepsComponents(t *testing.T) {
	fake := githubfake.New(t)
	fake.AddInstallation(inst, org)
	fake.AddRepo(org, ".github")
	fake.Commit(org, ".github", "main", map[string]string{"golden-path.yaml": "enforcement: advisory\n"})
	fake.AddRepo(org, "shop")
	fake.Commit(org, "shop", "main", monorepoFiles)
	fake.AddRepo(org, "tool")
	fake.Commit(org, "tool", "main", map[string]string{"README.md": readme("tool"), ".github/CODEOWNERS": "* @acme/team-payments\n"})
	db := filepath.Join(t.TempDir(), "gp.db")
	a, q := startApp(t, fake, db), openQueue(t, db)
	a.deliver(t, fake, "installation", "install", fake.InstallationEvent("created", inst))
	a.waitForSweeps(t, q, 1, time.Minute)

	t.Run("the sweep stores three components", func(t *testing.T) {
		var outcome []byte
		if err := q.db.QueryRow(`SELECT outcome FROM repositories WHERE name = 'shop'`).Scan(&outcome); err != nil {
			t.Fatal(err)
		}
		ev, err := store.NewOutcomeDecoder(nil).Decode(outcome)
		if err != nil {
			t.Fatal(err)
		}
		type stored struct{ name, ref, path, typ, owner string }
		var got []stored
		for _, c := range ev.Components {
			if len(c.Results) == 0 {
				t.Errorf("component %s stored without results", c.Name)
			}
			got = append(got, stored{c.Name, c.Ref, c.Path, c.Type, c.Owner})
		}
		want := []stored{
			{"payments", "component:default/payments", "services/payments", "service", "team-payments"},
			{"ledger", "component:default/ledger", "services/ledger", "service", "team-ledger"},
			{"web", "component:default/web", "web", "website", "team-web"},
		}
		if !slices.Equal(got, want) {
			t.Fatalf("stored components\n got %+v\nwant %+v", got, want)
		}
	})

	t.Run("the report counts components and each team once", func(t *testing.T) {
		status, body := a.apiGet(t, "/api/v1/orgs/"+org+"/report")
		if status != http.StatusOK {
			t.Fatalf("GET report: %d %s", status, body)
		}
		var rep struct {
			Repositories int           `json:"repositories"`
			Components   int           `json:"components"`
			Teams        []report.Team `json:"teams"`
			Rules        []report.RuleCompliance
		}
		if err := json.Unmarshal(body, &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Repositories != 2 || rep.Components != 4 {
			t.Errorf("%d repositories, %d components; want 2 and 4", rep.Repositories, rep.Components)
		}
		teams := map[string][2]int{}
		for _, tm := range rep.Teams {
			teams[tm.Owner] = [2]int{tm.Repositories, tm.Components}
		}
		want := map[string][2]int{"team-payments": {1, 1}, "team-ledger": {1, 1}, "team-web": {1, 1}, "@acme/team-payments": {1, 1}}
		if !maps.Equal(teams, want) {
			t.Errorf("teams (repositories, components) %v, want %v", teams, want)
		}
		for _, rc := range rep.Rules {
			// docs.readme is judged per component: payments and web have one, ledger
			// none; tool has one at its root.
			if rc.Rule == "docs.readme" && (rc.Pass != 3 || rc.Fail != 1) {
				t.Errorf("docs.readme passes %d, fails %d; want 3 and 1", rc.Pass, rc.Fail)
			}
			// security.policy is judged once per repository.
			if rc.Rule == "security.policy" && rc.Pass+rc.Fail != 2 {
				t.Errorf("security.policy judged %d times, want once per repository", rc.Pass+rc.Fail)
			}
		}
		is := reportIssue(t, fake)
		if !strings.Contains(is.Body, "2 repositories scored (4 components)") {
			t.Errorf("the report issue does not count components:\n%s", is.Body)
		}
	})

	t.Run("the repository API returns the components", func(t *testing.T) {
		status, body := a.apiGet(t, "/api/v1/orgs/"+org+"/repos/shop")
		if status != http.StatusOK {
			t.Fatalf("GET repo: %d %s", status, body)
		}
		var view struct {
			Evaluation struct {
				Schema     int `json:"schema"`
				Components []struct {
					Name       string            `json:"name"`
					Ref        string            `json:"ref"`
					Path       string            `json:"path"`
					Type       string            `json:"type"`
					TypeSource string            `json:"type_source"`
					Owner      string            `json:"owner"`
					Results    []json.RawMessage `json:"results"`
				} `json:"components"`
			} `json:"evaluation"`
		}
		if err := json.Unmarshal(body, &view); err != nil {
			t.Fatal(err)
		}
		ev := view.Evaluation
		if ev.Schema != 2 || len(ev.Components) != 3 {
			t.Fatalf("schema %d with %d components, want schema 2 with 3:\n%s", ev.Schema, len(ev.Components), body)
		}
		for _, c := range ev.Components {
			if c.Ref != "component:default/"+c.Name || c.TypeSource != "catalog" || c.Owner != "team-"+c.Name || len(c.Results) == 0 {
				t.Errorf("component %+v", c)
			}
		}
		status, body = a.apiGet(t, "/api/v1/orgs/"+org+"/repos/tool")
		if status != http.StatusOK {
			t.Fatalf("GET repo: %d %s", status, body)
		}
		view.Evaluation.Components = nil
		if err := json.Unmarshal(body, &view); err != nil {
			t.Fatal(err)
		}
		if c := view.Evaluation.Components; len(c) != 1 || c[0].Name != "tool" || c[0].Ref != "" || c[0].Path != "." || c[0].TypeSource == "catalog" {
			t.Errorf("tool's components %+v, want the one inferred at its root", c)
		}
	})
}
