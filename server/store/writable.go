package store

import (
	"context"
	"fmt"
)

// sqliteMinFreePages is the room a SQLite file must have left to count as
// writable: a delivery's transaction needs a few pages.
const sqliteMinFreePages = 16

// Writable checks that the database accepts a write now (for readiness probes): it
// rewrites the one row of readiness_probe, and on SQLite also checks that the
// file can still grow by a few pages, since rewriting a row in place needs none.
// A full disk, a read-only file or database, a lock held elsewhere or a database
// gone away all fail it.
func (s *Store) Writable(ctx context.Context) error {
	_, err := s.q.exec(ctx, `INSERT INTO readiness_probe (id, probed_at) VALUES (1, $1)
		ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at`, millis(s.now()))
	if err != nil {
		return fmt.Errorf("write to %s database: %w", s.b.kind(), err)
	}
	if s.b.kind() != KindSQLite {
		return nil
	}
	var room int64
	err = s.q.queryRow(ctx, `SELECT m.max_page_count - p.page_count + f.freelist_count
		FROM pragma_max_page_count() m, pragma_page_count() p, pragma_freelist_count() f`).Scan(&room)
	if err != nil {
		return fmt.Errorf("read SQLite database size: %w", err)
	}
	if room < sqliteMinFreePages {
		return fmt.Errorf("SQLite database full: %d free pages left (max_page_count reached)", room)
	}
	return nil
}
