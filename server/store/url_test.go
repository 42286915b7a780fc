package store

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		url      string
		kind     string
		dsn      string
		errorHas string
	}{
		{"sqlite://./goldenpath.db", KindSQLite, "./goldenpath.db", ""},
		{"sqlite://data/gp.db", KindSQLite, "data/gp.db", ""},
		{"sqlite:///var/lib/gp/gp.db", KindSQLite, "/var/lib/gp/gp.db", ""},
		{"SQLite://./x.db", KindSQLite, "./x.db", ""},
		{"postgres://u:p@h:5432/db?sslmode=disable", KindPostgres, "postgres://u:p@h:5432/db?sslmode=disable", ""},
		{"postgresql://h/db", KindPostgres, "postgresql://h/db", ""},
		{"POSTGRES://h/db", KindPostgres, "postgres://h/db", ""}, // pgx reads lower case only
		{"sqlite://", "", "", "needs a file path"},
		{"sqlite://./x.db?_pragma=foreign_keys(0)", "", "", "must not contain '?'"},
		{"sqlite://./x#1.db", "", "", "must not contain '?' or '#'"},
		{"sqlite://?mode=memory", "", "", "needs a file path"},
		{"postgres://u:p@h:port/db", "", "", "not a valid postgres:// URL"},
		{"mysql://h/db", "", "", "not mysql://"},
		{"", "", "", "must start with sqlite://"},
		{"./gp.db", "", "", "must start with sqlite://"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			kind, dsn, err := ParseURL(tt.url)
			if tt.errorHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errorHas) {
					t.Fatalf("err = %v, want one containing %q", err, tt.errorHas)
				}
				if strings.Contains(err.Error(), ":p@") {
					t.Errorf("error leaks the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if kind != tt.kind || dsn != tt.dsn {
				t.Errorf("got (%q, %q), want (%q, %q)", kind, dsn, tt.kind, tt.dsn)
			}
		})
	}
}

// A URL that ParseURL (and so the server configuration) accepts opens: the
// scheme's case once made validation pass and Open fail.
func TestOpenUpperCaseScheme(t *testing.T) {
	s, err := Open(t.Context(), "SQLite://"+filepath.Join(t.TempDir(), "gp.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Kind() != KindSQLite {
		t.Errorf("Kind() = %q, want %q", s.Kind(), KindSQLite)
	}
}
