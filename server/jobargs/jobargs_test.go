package jobargs

import (
	"testing"

	"github.com/goldenpath/goldenpath/server/ghport"
)

// The GitHub client holds back the requests of jobs of kind ghport.KindSweep;
// sweeps must be that kind.
func TestSweepKindKeepsTheReserve(t *testing.T) {
	if got := (SweepArgs{}).Kind(); got != ghport.KindSweep {
		t.Errorf("SweepArgs.Kind() = %q, want ghport.KindSweep %q", got, ghport.KindSweep)
	}
}
