package ghport

import "testing"

func TestShortSHA(t *testing.T) {
	for in, want := range map[string]string{
		"3f2c9a0b1d4e5f60718293a4b5c6d7e8f9012345": "3f2c9a0",
		"3F2C9A0B1D4E5F60718293A4B5C6D7E8F9012345": "3F2C9A0",
		"main": "main",
		"refs/heads/feature-branch-with-a-long-name": "refs/heads/feature-branch-with-a-long-name",
		"3f2c9a0": "3f2c9a0",
		"":        "",
	} {
		if got := ShortSHA(in); got != want {
			t.Errorf("ShortSHA(%q) = %q, want %q", in, got, want)
		}
	}
}
