package main

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/githubfake"
	"github.com/goldenpath/goldenpath/server/store/storetest"
)

// dbProxy stands between a replica and the shared PostgreSQL, so a test can take
// the database away (every connection dropped, new ones refused) and bring it
// back without touching the real server.
type dbProxy struct {
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
}

func newDBProxy(t testing.TB, target string) *dbProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dbProxy{target: target, addr: ln.Addr().String(), ln: ln, conns: map[net.Conn]bool{}}
	go p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *dbProxy) serve(ln net.Listener) {
	for {
		client, err := ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns[client], p.conns[server] = true, true
		p.mu.Unlock()
		go pipe(client, server)
		go pipe(server, client)
	}
}

func pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// cut drops every connection and refuses new ones, like a database that went down.
func (p *dbProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// restore accepts connections again on the same address.
func (p *dbProxy) restore(t testing.TB) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go p.serve(ln)
}

// TestPostgresOutage: the database goes away for a few seconds while evaluations
// run, so their results cannot be written; River gives up writing them and would
// hold the jobs as running for job_rescue_after (30 minutes). Every acknowledged
// pull request is checked soon after the database is back.
func TestPostgresOutage(t *testing.T) {
	skipShort(t)
	direct, err := url.Parse(storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newDBProxy(t, direct.Host)
	viaProxy := *direct
	viaProxy.Host = proxy.addr

	fake, heads := newScaleOrg(t)
	headTrees := map[string]bool{}
	for _, h := range heads {
		headTrees[treePath(h)] = true
	}
	gate := newGate(t, fake, holdPaths(headTrees))
	r := startReplica(t, "only", fake, gate.url(), viaProxy.String(), recoverySettings)
	var acknowledged []int
	for n := 1; n <= scalePulls-1; n++ {
		if code := deliverPull(t, fake, r, n); code == http.StatusAccepted {
			acknowledged = append(acknowledged, n)
		}
	}
	waitFor(t, "two evaluations running", 30*time.Second, func() bool { return len(gate.heldPaths()) == replicaSlots })

	// Shorter than the 15 s after which a replica without heartbeats stops.
	const outage = 8 * time.Second
	proxy.cut()
	gate.open() // the evaluations go on, and fail to store what they found
	if code := deliverPull(t, fake, r, scalePulls); code == http.StatusAccepted {
		acknowledged = append(acknowledged, scalePulls)
	} else {
		t.Logf("pull request #%d during the outage: status %d (GitHub redelivers it)", scalePulls, code)
	}
	time.Sleep(outage)
	proxy.restore(t)
	restoredAt := time.Now()

	waitFor(t, "every acknowledged pull request checked after the database came back", 4*recoveryBound, func() bool {
		for _, n := range acknowledged {
			if len(completed(fake, heads[n])) != 1 {
				return false
			}
		}
		return true
	})
	t.Logf("%d acknowledged pull requests checked %s after the database came back", len(acknowledged), time.Since(restoredAt).Round(100*time.Millisecond))
	select {
	case <-r.exited:
		t.Fatal("the replica stopped during a database outage shorter than its lease")
	default:
	}
	for _, n := range acknowledged {
		if runs := fake.CheckRuns(scaleOrg, "payments"); countHead(runs, heads[n]) != 1 {
			t.Errorf("#%d: %d check runs, want 1", n, countHead(runs, heads[n]))
		}
	}
	waitFor(t, "no evaluation left running", 10*time.Second, func() bool {
		return jobsIn(t, direct.String(), "evaluate_pull", "running", "available", "retryable") == 0
	})
	if len(acknowledged) < scalePulls-1 {
		t.Errorf("only %v acknowledged before the outage", acknowledged)
	}
}

func countHead(runs []githubfake.CheckRun, head string) int {
	n := 0
	for _, r := range runs {
		if r.HeadSHA == head {
			n++
		}
	}
	return n
}
