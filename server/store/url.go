package store

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// ParseURL resolves a database URL into its kind (KindSQLite or KindPostgres)
// and what the driver opens. It is the one reading of a database URL: the
// server configuration validates with it and Open opens what it returns, so a
// URL that passes validation opens.
//
//	sqlite://./x.db         -> sqlite, "./x.db" (relative to the working directory)
//	sqlite:///abs/x.db      -> sqlite, "/abs/x.db"
//	postgres://u:p@h:5432/d -> postgres, the URL (postgresql:// too)
//
// Schemes compare case-insensitively; pgx reads only lower-case ones, so a
// PostgreSQL URL comes back with its scheme lower-cased. Errors read as the
// end of a sentence about the URL ("database.url " + err) and never contain
// the URL, which may hold a password.
func ParseURL(raw string) (kind, dsn string, err error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	switch {
	case !ok:
		return "", "", errors.New("must start with sqlite://, postgres:// or postgresql://")
	case strings.EqualFold(scheme, "sqlite"):
		if rest == "" || strings.HasPrefix(rest, "?") {
			return "", "", errors.New("needs a file path after sqlite://, such as sqlite://./goldenpath.db")
		}
		if strings.ContainsAny(rest, "?#") {
			// The driver would read what follows '?' as its own parameters.
			return "", "", errors.New("must not contain '?' or '#' after sqlite:// (a file path only)")
		}
		return KindSQLite, rest, nil
	case strings.EqualFold(scheme, "postgres"), strings.EqualFold(scheme, "postgresql"):
		dsn = strings.ToLower(scheme) + "://" + rest
		if _, err := url.Parse(dsn); err != nil {
			return "", "", errors.New("is not a valid postgres:// URL")
		}
		return KindPostgres, dsn, nil
	case schemeName.MatchString(scheme):
		return "", "", fmt.Errorf("must start with sqlite://, postgres:// or postgresql://, not %s://", scheme)
	default: // not a scheme at all: don't echo what may be credentials
		return "", "", errors.New("must start with sqlite://, postgres:// or postgresql://")
	}
}

var schemeName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*$`)
