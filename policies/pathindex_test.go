package policies

import (
	"fmt"
	"testing"
)

// TestDirIndex checks the indexes of the whole tree and of one directory:
// path_set keys relative to the directory, lists of repository paths, and
// directories found once each, in order, whatever the order in which sorted
// paths reveal them ("a/b-c/x" sorts before "a/b/y"), from a listing neither
// sorted nor clean.
func TestDirIndex(t *testing.T) {
	ix := newPathIndex([]Entry{
		{Path: "a/b/y.yaml"}, {Path: "a/b-c/x.yaml"}, {Path: "a/b.txt"}, {Path: "a/k8s/d.yaml"},
		{Path: "a/b/k8s/e.YML"}, {Path: "k8s/f.yaml"}, {Path: "Dockerfile"}, {Path: "ab/k8s/g.yaml"},
		{Path: "./README.md"}, {Path: ""},
	})
	tests := []struct {
		name   string
		prefix string
		lookup func(dirIndex) any
		want   string
	}{
		{"root path set", "", func(d dirIndex) any { return d.pathSet["a/b/y.yaml"] }, "true"},
		{"root names", "", func(d dirIndex) any { return d.names["Dockerfile"] }, "[Dockerfile]"},
		{"root dir names", "", func(d dirIndex) any { return d.dirNames["k8s"] }, "[a/b/k8s a/k8s ab/k8s k8s]"},
		{"root dirs", "", func(dirIndex) any { return len(ix.dirsMap()) }, "8"},
		{"a directory holds files", "", func(dirIndex) any { return ix.hasDir("a/b") && ix.hasDir("a") && ix.hasDir("ab/k8s") }, "true"},
		{"not a directory", "", func(dirIndex) any {
			return ix.hasDir("a/b.txt") || ix.hasDir("a/b-") || ix.hasDir("") || ix.hasDir("z")
		}, "false"},
		{"a file", "", func(dirIndex) any { return ix.hasFile("a/b.txt") && !ix.hasFile("a/b") }, "true"},
		{"listed with ./", "", func(d dirIndex) any { return d.names["README.md"] }, "[README.md]"},
		{"an empty path is no file", "", func(d dirIndex) any { return len(d.pathSet) }, "9"},
		{"relative path set", "a/", func(d dirIndex) any { return d.pathSet["b/y.yaml"] }, "true"},
		{"no repository keys", "a/", func(d dirIndex) any { return d.pathSet["a/b/y.yaml"] }, "<nil>"},
		{"nothing outside", "a/", func(d dirIndex) any { return len(d.pathSet) }, "5"},
		{"names below", "a/", func(d dirIndex) any { return d.names["y.yaml"] }, "[a/b/y.yaml]"},
		{"exts lower-case", "a/", func(d dirIndex) any { return d.exts[".yml"] }, "[a/b/k8s/e.YML]"},
		{"exts below", "a/", func(d dirIndex) any { return d.exts[".yaml"] }, "[a/b-c/x.yaml a/b/y.yaml a/k8s/d.yaml]"},
		{"dir names below, sorted", "a/", func(d dirIndex) any { return d.dirNames["k8s"] }, "[a/b/k8s a/k8s]"},
		{"not the directory itself", "a/", func(d dirIndex) any { return d.dirNames["a"] }, "<nil>"},
		{"each directory once", "a/", func(d dirIndex) any { return d.dirNames["b"] }, "[a/b]"},
		{"a sibling sharing the prefix is outside", "a/", func(d dirIndex) any { return d.names["g.yaml"] }, "<nil>"},
		{"missing directory", "z/", func(d dirIndex) any { return len(d.pathSet) }, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fmt.Sprint(tt.lookup(ix.under(tt.prefix))); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestFilesIn(t *testing.T) {
	var entries []Entry
	for _, p := range []string{"a/x", "a/b/y", "a/b/c/z", "a/b-c", "a/c/w", "a/d", "ab/x", "r", "a/f"} {
		entries = append(entries, Entry{Path: p})
	}
	var long []string // a long run to skip
	for i := range 37 {
		long = append(long, fmt.Sprintf("a/e/%02d", i))
		entries = append(entries, Entry{Path: long[i]})
	}
	ix := newPathIndex(entries)
	for prefix, want := range map[string]string{
		"":     "[r]",
		"a/":   "[a/b-c a/d a/f a/x]",
		"a/e/": fmt.Sprint(long),
		"a/b/": "[a/b/y]",
		"ab/":  "[ab/x]",
		"z/":   "[]",
	} {
		if got := fmt.Sprint(ix.filesIn(prefix)); got != want {
			t.Errorf("filesIn(%q) = %s, want %s", prefix, got, want)
		}
	}
}
