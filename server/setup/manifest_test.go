package setup

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"reflect"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// deployManifest is the hand-registration copy of the manifest, kept by the
// deploy artefacts.
const deployManifest = "../../deploy/github-app.yaml"

// loadDeployManifest parses deploy/github-app.yaml strictly (a key Manifest
// lacks is drift too), or skips when the file is absent.
func loadDeployManifest(t *testing.T) Manifest {
	t.Helper()
	data, err := os.ReadFile(deployManifest)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is absent: nothing to compare the manifest with", deployManifest)
	}
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("%s: %v (a key setup's Manifest does not know: add it to manifest.go)", deployManifest, err)
	}
	return m
}

// TestManifestMatchesDeploy keeps DefaultManifest and deploy/github-app.yaml
// from drifting apart: same name, description, permissions, events, hook and
// even the placeholder URLs.
func TestManifestMatchesDeploy(t *testing.T) {
	want := loadDeployManifest(t)
	got := DefaultManifest()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DefaultManifest() drifted from %s:\n got  %+v\n want %+v", deployManifest, got, want)
	}
}

// TestManifestPermissions: without fixes the app writes no contents and no pull
// requests (comments go through the issues API); --fixes asks for both.
func TestManifestPermissions(t *testing.T) {
	tests := []struct {
		fixes                  bool
		contents, pullRequests string
	}{
		{false, "read", "read"},
		{true, "write", "write"},
	}
	for _, tt := range tests {
		m := (&plan{fixes: tt.fixes}).manifest()
		if got := m.DefaultPermissions; got["contents"] != tt.contents || got["pull_requests"] != tt.pullRequests || got["issues"] != "write" || got["checks"] != "write" {
			t.Errorf("fixes %v: permissions %v, want contents %s, pull_requests %s", tt.fixes, got, tt.contents, tt.pullRequests)
		}
	}
	if DefaultManifest().DefaultPermissions["contents"] != "read" {
		t.Error("WithFixes changed the default manifest")
	}
}
