package config

import "fmt"

// Error is a problem in a configuration file. Line and Column are 1-based and
// zero when unknown (for example for an oversized file).
type Error struct {
	File    string
	Line    int
	Column  int
	Message string
}

// Error formats the problem as "file:line: message", the form editors and CI
// logs turn into links.
func (e *Error) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
	case e.File != "":
		return fmt.Sprintf("%s: %s", e.File, e.Message)
	case e.Line > 0:
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	default:
		return e.Message
	}
}
