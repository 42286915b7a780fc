package store

import (
	"flag"
	"os"
	"testing"
)

// TestMain lets more tests run at once than -parallel's default (GOMAXPROCS) unless
// -parallel is given: they mostly wait on PostgreSQL and River's polling, not the CPU.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", "8")
	}
	os.Exit(m.Run())
}
