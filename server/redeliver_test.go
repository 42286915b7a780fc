package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/githubfake"
)

// startRedelivering starts the app with its start-up redelivery run, and has the
// fake GitHub send redeliveries to it.
func startRedelivering(t *testing.T, fake *githubfake.Fake, dbPath string) *app {
	t.Helper()
	// The start-up run may redeliver before the app's address is known here.
	started := make(chan struct{})
	var a *app
	fake.SetWebhookTarget(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-started
		u, err := url.Parse(a.url)
		if err != nil {
			panic(err)
		}
		httputil.NewSingleHostReverseProxy(u).ServeHTTP(w, r)
	}))
	opts := testOptions
	opts.NoStartupRedelivery = false
	a = startAppWith(t, fake, dbPath, opts)
	close(started)
	return a
}

func redeliveries(fake *githubfake.Fake, guid string) int {
	n := 0
	for _, d := range fake.Deliveries() {
		if d.GUID == guid && d.Redelivery {
			n++
		}
	}
	return n
}

func pullPayload(t *testing.T, fake *githubfake.Fake, number int) []byte {
	t.Helper()
	body, err := json.Marshal(fake.PullRequestEvent("opened", org, "payments", number))
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func TestDeliveriesMissedWhileDownAreRedeliveredOnce(t *testing.T) {
	fake := newOrg(t, "advisory")
	for n := 2; n <= 3; n++ {
		branch := fmt.Sprintf("feature-%d", n)
		fake.Commit(org, "payments", branch, map[string]string{"README.md": fmt.Sprintf("# change %d\n", n)})
		fake.OpenPR(org, "payments", n, branch, "main")
	}
	head := func(n int) string { return fake.PullRequest(org, "payments", n).HeadSHA }
	db := filepath.Join(t.TempDir(), "gp.db")

	// The app took #2's delivery, but GitHub gave up waiting for the answer.
	first := startApp(t, fake, db)
	if code := first.deliver(t, fake, "pull_request", "timed-out", fake.PullRequestEvent("opened", org, "payments", 2)); code != http.StatusAccepted {
		t.Fatalf("status %d", code)
	}
	waitFor(t, "the check run of #2", 10*time.Second, func() bool { return len(completedRuns(fake, "payments", head(2))) == 1 })
	first.stop()
	fake.AddDelivery(githubfake.Delivery{GUID: "timed-out", Event: "pull_request", StatusCode: 0, Payload: pullPayload(t, fake, 2)})
	// While no replica runs: #1's delivery finds nobody; #3's reached someone
	// (GitHub says it succeeded), so it must not come again.
	fake.AddDelivery(githubfake.Delivery{GUID: "missed", Event: "pull_request", StatusCode: 0, Payload: pullPayload(t, fake, 1), InstallationID: inst})
	fake.AddDelivery(githubfake.Delivery{GUID: "answered", Event: "pull_request", StatusCode: http.StatusAccepted, Payload: pullPayload(t, fake, 3), InstallationID: inst})

	second := startRedelivering(t, fake, db)
	waitFor(t, "the check run of #1 after its redelivery", 10*time.Second, func() bool {
		return len(completedRuns(fake, "payments", head(1))) == 1
	})
	waitFor(t, "the redelivery run", 10*time.Second, func() bool { return second.jobs(t, "redeliver", "completed") == 1 })
	second.stop()

	// A second run finds the redelivery, answered: nothing is sent again.
	third := startRedelivering(t, fake, db)
	waitFor(t, "the second redelivery run", 10*time.Second, func() bool { return third.jobs(t, "redeliver", "completed") == 1 })
	for guid, want := range map[string]int{"missed": 1, "timed-out": 0, "answered": 0} {
		if n := redeliveries(fake, guid); n != want {
			t.Errorf("%s redelivered %d times, want %d", guid, n, want)
		}
	}
	if runs := len(fake.CheckRuns(org, "payments")); runs != 2 {
		t.Errorf("%d check runs, want one each for #1 and #2 (#3's delivery had succeeded)", runs)
	}
}

func TestRedeliveryIsBounded(t *testing.T) {
	fake := newOrg(t, "advisory")
	// No webhook target: the fake records each redelivery as answered.
	fake.AddDelivery(githubfake.Delivery{GUID: "too-old", Event: "pull_request", StatusCode: http.StatusBadGateway, DeliveredAt: time.Now().Add(-25 * time.Hour)})
	for i := range 60 {
		fake.RecordDelivery(fmt.Sprintf("failed-%d", i), "pull_request", http.StatusBadGateway)
	}
	sent := func() int {
		n := 0
		for _, d := range fake.Deliveries() {
			if d.Redelivery {
				n++
			}
		}
		return n
	}
	db := filepath.Join(t.TempDir(), "gp.db")
	opts := testOptions
	opts.NoStartupRedelivery = false

	a := startAppWith(t, fake, db, opts)
	waitFor(t, "the redelivery run", 10*time.Second, func() bool { return a.jobs(t, "redeliver", "completed") == 1 })
	if n := sent(); n != 50 {
		t.Fatalf("%d redelivered in one run, want 50 (the bound)", n)
	}
	a.stop()

	// The next run sends the rest, not those already redelivered.
	a = startAppWith(t, fake, db, opts)
	waitFor(t, "the second redelivery run", 10*time.Second, func() bool { return a.jobs(t, "redeliver", "completed") == 1 })
	if n := sent(); n != 60 {
		t.Errorf("%d redelivered after two runs, want 60", n)
	}
	if n := redeliveries(fake, "too-old"); n != 0 {
		t.Errorf("a delivery older than a day redelivered %d times", n)
	}
}
