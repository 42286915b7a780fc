package githubfake

import (
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

func TestZZLoad(t *testing.T) {
	start := time.Now()
	l := openapi3.NewLoader()
	doc, err := l.LoadFromFile("../../../shared/ref/github/openapi/api.github.com.json")
	t.Logf("load %v err=%v", time.Since(start), err)
	if doc != nil {
		t.Logf("paths %d", doc.Paths.Len())
	}
}
