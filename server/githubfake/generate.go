package githubfake

import (
	"fmt"
	"path"
)

// TreeShape is the shape of a generated repository.
type TreeShape struct {
	// Files is the number of files in all.
	Files int
	// Dirs is the number of directories in all, the root not counted.
	Dirs int
	// TopDirs is how many of them sit at the root; the others nest below them, up
	// to eight to a directory, so a few levels deep.
	TopDirs int
	// RootFiles is how many of the files sit at the root itself.
	RootFiles int
}

// MonorepoShape is a monorepo past both of GitHub's limits on a recursive tree
// listing (100,000 entries and 7 MB): 250,000 files in 13,000 directories, 50 of
// them at the root.
var MonorepoShape = TreeShape{Files: 250000, Dirs: 13000, TopDirs: 50, RootFiles: 12}

// GenerateFiles returns a repository of the given shape as path → content, ready
// for Commit; the same shape always gives the same files. Top-level directories
// differ in size (one to five shares), as a real monorepo's packages do, and
// every file's content is distinct.
func GenerateFiles(shape TreeShape) map[string]string {
	top := max(shape.TopDirs, 1)
	files := make(map[string]string, shape.Files)
	add := func(p string) {
		files[p] = fmt.Sprintf("// %s\npackage generated // %d\n", p, len(files))
	}
	for i := range min(shape.RootFiles, shape.Files) {
		add(fmt.Sprintf("root-%03d.md", i))
	}
	weights, total := make([]int, top), 0
	for i := range weights {
		weights[i] = i%5 + 1
		total += weights[i]
	}
	filesLeft, dirsLeft := shape.Files-len(files), max(shape.Dirs-top, 0)
	filesTotal, dirsTotal := filesLeft, dirsLeft
	for i, w := range weights {
		// The last directory takes what rounding left over.
		nFiles, nDirs := filesLeft, dirsLeft
		if i < top-1 {
			nFiles = min(filesTotal*w/total, filesLeft)
			nDirs = min(dirsTotal*w/total, dirsLeft)
		}
		filesLeft -= nFiles
		dirsLeft -= nDirs
		// Directory k of this package nests under directory (k-1)/8, so eight
		// to a directory; 0 is the package's own directory.
		dirs := make([]string, nDirs+1)
		dirs[0] = fmt.Sprintf("pkg-%02d", i)
		for k := 1; k <= nDirs; k++ {
			dirs[k] = path.Join(dirs[(k-1)/8], fmt.Sprintf("mod-%04d", k))
		}
		for n := range nFiles {
			add(path.Join(dirs[n%len(dirs)], fmt.Sprintf("file-%05d.go", n)))
		}
	}
	return files
}
