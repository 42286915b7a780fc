package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/goldenpath/goldenpath/server/store/storetest"
)

func TestWritable(t *testing.T) {
	forEachBackend(t, func(t *testing.T, url string) {
		s := openStore(t, url)
		for range 2 { // the second probe rewrites the row
			if err := s.Writable(t.Context()); err != nil {
				t.Fatalf("fresh database: %v", err)
			}
		}
	})
}

// TestWritableSQLiteRefusingWrites makes a real SQLite file refuse writes in the
// ways a disk or an operator does, and checks that the probe sees what a
// delivery's transaction meets.
func TestWritableSQLiteRefusingWrites(t *testing.T) {
	tests := []struct {
		name    string
		refuse  func(t *testing.T, s *Store, path string) (restore func())
		wantErr string
	}{
		{"full: the file may not grow", func(t *testing.T, s *Store, _ string) func() {
			// max_page_count belongs to the connection: the store has exactly one.
			exec(t, s, `PRAGMA max_page_count = 1`) // clamps to the current size
			return func() { exec(t, s, `PRAGMA max_page_count = 1073741823`) }
		}, "database full"},
		{"read-only", func(t *testing.T, s *Store, _ string) func() {
			exec(t, s, `PRAGMA query_only = ON`)
			return func() { exec(t, s, `PRAGMA query_only = OFF`) }
		}, "write to sqlite database"},
		{"locked by another process", func(t *testing.T, _ *Store, path string) func() {
			other, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			conn, err := other.Conn(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.ExecContext(t.Context(), `BEGIN EXCLUSIVE`); err != nil {
				t.Fatal(err)
			}
			return func() {
				_, _ = conn.ExecContext(context.Background(), `ROLLBACK`)
				conn.Close()
				other.Close()
			}
		}, "write to sqlite database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := storetest.SQLiteURL(t)
			s := openStore(t, url)
			restore := tt.refuse(t, s, strings.TrimPrefix(url, "sqlite://"))
			// Deliveries arrive until one cannot be recorded (a full file still takes a
			// few into its last pages); from then on the probe must fail too.
			recorded := 0
			for ; recorded < 10000; recorded++ {
				err := s.InTx(t.Context(), func(tx *Tx) error {
					_, err := tx.RecordDelivery(t.Context(), fmt.Sprintf("delivery-%d", recorded), "ping")
					return err
				})
				if err != nil {
					break
				}
			}
			if recorded == 10000 {
				t.Fatal("the database kept accepting deliveries")
			}
			err := s.Writable(t.Context())
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("after %d deliveries recorded and one refused: Writable = %v, want an error containing %q", recorded, err, tt.wantErr)
			}
			restore()
			if err := s.Writable(t.Context()); err != nil {
				t.Fatalf("after the database accepts writes again: %v", err)
			}
		})
	}
}

func exec(t *testing.T, s *Store, stmt string) {
	t.Helper()
	if _, err := s.q.exec(t.Context(), stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}
