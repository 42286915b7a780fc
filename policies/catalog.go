package policies

// catalogFiles are the Backstage catalog descriptors the engine parses, in the
// order Backstage's own discovery prefers them.
var catalogFiles = []string{"catalog-info.yaml", "catalog-info.yml"}

// CatalogEntity is one YAML document of a catalog file.
type CatalogEntity struct {
	Path     string         `json:"path"`
	Document int            `json:"document"`
	Line     int            `json:"line"`
	Entity   any            `json:"entity"`
	Lines    map[string]int `json:"lines"`
}

// FileError is a problem parsing a repository file, with its line.
type FileError struct {
	Path    string `json:"path,omitempty"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// Catalog is the parsed catalog descriptors of a repository (input.catalog).
type Catalog struct {
	Files    []string        `json:"files"`
	Entities []CatalogEntity `json:"entities"`
	Errors   []FileError     `json:"errors"`
}

func parseCatalog(files map[string]fileContent) Catalog {
	c := Catalog{Files: []string{}, Entities: []CatalogEntity{}, Errors: []FileError{}}
	for _, p := range catalogFiles {
		f, ok := files[p]
		if !ok {
			continue
		}
		c.Files = append(c.Files, p)
		if f.Skipped != "" {
			c.Errors = append(c.Errors, FileError{Path: p, Message: "file not read: " + f.Skipped})
			continue
		}
		docs, err := parseYAMLDocuments([]byte(f.Content))
		if err != nil {
			c.Errors = append(c.Errors, FileError{Path: p, Line: err.Line, Message: err.Message})
			continue
		}
		for i, d := range docs {
			c.Entities = append(c.Entities, CatalogEntity{Path: p, Document: i, Line: d.Line, Entity: d.Value, Lines: d.Lines})
		}
	}
	return c
}

// componentSpec returns spec.<field> of the first Component entity, the one that
// describes the repository itself.
func (c Catalog) componentSpec(field string) string {
	for _, e := range c.Entities {
		m, ok := e.Entity.(map[string]any)
		if !ok || m["kind"] != "Component" {
			continue
		}
		spec, _ := m["spec"].(map[string]any)
		s, _ := spec[field].(string)
		return s
	}
	return ""
}
