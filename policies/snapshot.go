package policies

import "context"

// Entry is one file of a repository snapshot: its path, git blob sha and size.
type Entry struct {
	Path string
	SHA  string
	Size int64
}

// Snapshot is a repository at one commit. It needs only two operations so that a
// local checkout and the GitHub API can both provide one: listing is cheap (one tree
// request), reading is paid per file, and the engine reads only what rules declare.
type Snapshot interface {
	// Entries lists every file (blob) in the snapshot.
	Entries(ctx context.Context) ([]Entry, error)
	// Read returns the contents of the given paths. A path that cannot be read is
	// left out of the map rather than failing the whole call.
	Read(ctx context.Context, paths []string) (map[string][]byte, error)
}

// Partial is implemented by a Snapshot that can be cut short, by a budget of
// requests or a directory it could not read: PartialReason says what is missing,
// "" when nothing is. The engine asks after listing and again after reading.
type Partial interface {
	PartialReason() string
}

// Repository holds the facts about a repository that do not come from its files.
type Repository struct {
	Owner              string   `json:"owner"`
	Name               string   `json:"name"`
	DefaultBranch      string   `json:"default_branch"`
	Description        string   `json:"description"`
	Topics             []string `json:"topics"`
	Archived           bool     `json:"archived"`
	Fork               bool     `json:"fork"`
	TemplateRepository string   `json:"template_repository"`
}

// FullName is owner/name, or just the name when the owner is unknown.
func (r Repository) FullName() string {
	if r.Owner == "" {
		return r.Name
	}
	return r.Owner + "/" + r.Name
}
