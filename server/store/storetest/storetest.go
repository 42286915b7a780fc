// Package storetest gives tests of any package a database of their own: a SQLite
// file in a temporary directory, or a fresh schema of the PostgreSQL that
// GOLDENPATH_TEST_POSTGRES_URL names (dropped when the test ends).
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultPostgresURL is the PostgreSQL tests use when GOLDENPATH_TEST_POSTGRES_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// SQLiteURL is a database URL for a new SQLite file in the test's temporary directory.
func SQLiteURL(t testing.TB) string {
	return "sqlite://" + filepath.Join(t.TempDir(), "goldenpath.db")
}

// PostgresURL creates a schema for one test and returns the test database's URL
// with search_path set to it, so River's tables and ours land there. It skips the
// test, saying why, when PostgreSQL is not reachable.
func PostgresURL(t testing.TB) string {
	t.Helper()
	if err := reachable(); err != nil {
		t.Skipf("PostgreSQL at GOLDENPATH_TEST_POSTGRES_URL (default %s) is not reachable: %v", DefaultPostgresURL, err)
	}
	var random [6]byte
	_, _ = rand.Read(random[:])
	schema := "t_" + hex.EncodeToString(random[:])

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, baseURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, baseURL())
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
	})

	u, err := url.Parse(baseURL())
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema) // sent as a run-time parameter at connection start-up
	u.RawQuery = q.Encode()
	return u.String()
}

var reachable = sync.OnceValue(func() error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, baseURL())
	if err != nil {
		return err
	}
	return conn.Close(ctx)
})

func baseURL() string {
	if u := os.Getenv("GOLDENPATH_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}
