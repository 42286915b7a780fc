package store

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goldenpath/goldenpath/server/store/storetest"
)

// forEachBackend runs test once per database, as parallel subtests of a parallel test. Each run gets a
// database of its own (storetest): a SQLite file, or a fresh PostgreSQL schema.
// It passes the URL to Open.
func forEachBackend(t *testing.T, test func(t *testing.T, url string)) {
	t.Helper()
	t.Parallel()
	t.Run(KindSQLite, func(t *testing.T) {
		t.Parallel()
		test(t, storetest.SQLiteURL(t))
	})
	t.Run(KindPostgres, func(t *testing.T) {
		t.Parallel()
		test(t, storetest.PostgresURL(t))
	})
}

// openStore opens url and closes the store when the test ends.
func openStore(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(t.Context(), url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// fakeClock lets tests move a store's time.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func useFakeClock(s *Store) *fakeClock {
	c := &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	s.now = c.Now
	return c
}

func TestOpenConfiguresDatabase(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
		// Placeholders bind by number, not by position, on both databases.
		var got string
		if err := s.q.queryRow(t.Context(), `SELECT CAST($2 AS TEXT) || CAST($1 AS TEXT) || CAST($2 AS TEXT)`, "a", "b").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != "bab" {
			t.Errorf("$2 || $1 || $2 = %q, want %q", got, "bab")
		}
		if s.Kind() != KindSQLite {
			return
		}
		for pragma, want := range map[string]string{"journal_mode": "wal", "busy_timeout": "5000", "foreign_keys": "1", "synchronous": "2"} {
			var v string
			if err := s.q.queryRow(t.Context(), "PRAGMA "+pragma).Scan(&v); err != nil {
				t.Fatal(err)
			}
			if v != want {
				t.Errorf("PRAGMA %s = %s, want %s", pragma, v, want)
			}
		}
	})
}

func TestOpenSQLiteRelativePath(t *testing.T) {
	// Not parallel: it changes the working directory.
	dir := t.TempDir()
	t.Chdir(dir)
	s := openStore(t, "sqlite://./data/goldenpath.db")
	info, err := os.Stat(filepath.Join(dir, "data", "goldenpath.db"))
	if err != nil {
		t.Fatalf("database not created relative to the working directory: %v", err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("database file mode %v, want 0600 (it caches repository contents)", mode)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func TestOpenTwiceMigratesOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		first := openStore(t, url)
		if _, err := first.RecordDelivery(t.Context(), "d-1", "push"); err != nil {
			t.Fatal(err)
		}
		first.Close()

		second := openStore(t, url)
		var versions int
		if err := second.q.queryRow(t.Context(), `SELECT count(*) FROM goldenpath_migrations`).Scan(&versions); err != nil {
			t.Fatal(err)
		}
		if versions != len(migrations) {
			t.Errorf("%d migration rows, want %d", versions, len(migrations))
		}
		if fresh, err := second.RecordDelivery(t.Context(), "d-1", "push"); err != nil || fresh {
			t.Errorf("data written before reopening: RecordDelivery again = %v, %v; want false, nil", fresh, err)
		}
	})
}

func TestConcurrentOpenOnPostgres(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	// Replicas starting together on a fresh schema: the advisory lock serialises them.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := Open(t.Context(), url)
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRejectsBadURLs(t *testing.T) {
	t.Parallel()
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// A server that accepts connections and never answers: only the default connect
	// timeout ends the attempt.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = silent.Close() })
	go func() {
		var held []net.Conn // keeps connections open (and from the garbage collector)
		for {
			conn, err := silent.Accept()
			if err != nil {
				for _, c := range held {
					_ = c.Close()
				}
				return
			}
			held = append(held, conn)
		}
	}()
	for _, tc := range []struct {
		name, url, wantIn string
	}{
		{"unknown scheme", "mysql://root@localhost/db", "not mysql://"},
		{"empty sqlite path", "sqlite://", "needs a file path"},
		{"sqlite directory cannot be created", "sqlite://" + filepath.Join(notADir, "sub", "gp.db"), "create its directory"},
		{"postgres refuses connections", "postgres://postgres@127.0.0.1:1/test?sslmode=disable", "connect to PostgreSQL"},
		{"postgres does not answer", "postgres://postgres@" + silent.Addr().String() + "/test?sslmode=disable", "timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			s, err := Open(t.Context(), tc.url)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.wantIn) {
				t.Errorf("error %q does not say %q", err, tc.wantIn)
			}
			if d := time.Since(start); d > postgresConnectTimeout+2*time.Second {
				t.Errorf("Open took %s", d)
			}
		})
	}
}
