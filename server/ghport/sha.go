package ghport

import "strings"

// ShortSHA abbreviates a commit SHA to GitHub's seven characters for messages; a
// ref or anything else that is not a full SHA is left whole.
func ShortSHA(sha string) string {
	if len(sha) == 40 && strings.Trim(strings.ToLower(sha), "0123456789abcdef") == "" {
		return sha[:7]
	}
	return sha
}
