package store

import (
	"context"
	"fmt"
)

// ForgetComment drops what the store knows of a pull request's sticky comment: a
// claim that will not be used (nothing to say), or a comment someone deleted.
func (s queries) ForgetComment(ctx context.Context, repoID int64, number int) error {
	if _, err := s.q.exec(ctx, `DELETE FROM pull_comments WHERE repo_id = $1 AND number = $2`, repoID, number); err != nil {
		return fmt.Errorf("forget comment of %d/#%d: %w", repoID, number, err)
	}
	return nil
}
