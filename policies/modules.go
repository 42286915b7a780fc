package policies

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Bounds on a directory of custom rules: it is untrusted input like the rest.
const (
	maxModuleBytes = 1 << 20
	maxModules     = 1000
)

// ModulesFromDir reads the .rego files under dir (recursively), keyed by their path
// relative to dir's parent so error messages name them recognisably. Test files
// (_test.rego) are included only with withTests.
func ModulesFromDir(dir string, withTests bool) (map[string]string, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("read policies: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("read policies: %s is not a directory", dir)
	}
	out := map[string]string{}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") || (!withTests && strings.HasSuffix(p, "_test.rego")) {
			return nil
		}
		if len(out) == maxModules {
			return fmt.Errorf("more than %d modules", maxModules)
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if fi.Size() > maxModuleBytes {
			return fmt.Errorf("%s is larger than %d bytes", p, maxModuleBytes)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(filepath.Dir(filepath.Clean(dir)), p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read policies from %s: %w", dir, err)
	}
	return out, nil
}
