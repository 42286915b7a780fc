package setup

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	yaml "go.yaml.in/yaml/v3"

	"github.com/goldenpath/goldenpath/server/serverconfig"
)

// serverFile is the part of the server configuration (serverconfig.Server) that
// setup knows; everything else keeps its default.
type serverFile struct {
	Server struct {
		PublicURL string `yaml:"public_url"`
	} `yaml:"server"`
	GitHub struct {
		WebURL   string `yaml:"web_url"`
		V3APIURL string `yaml:"v3_api_url"`
		V4APIURL string `yaml:"v4_api_url"`
		App      struct {
			IntegrationID int64  `yaml:"integration_id"`
			WebhookSecret string `yaml:"webhook_secret"`
			PrivateKey    string `yaml:"private_key"`
		} `yaml:"app"`
	} `yaml:"github"`
}

// renderConfig returns the config file for app, after checking that
// `goldenpath serve` would accept it.
func renderConfig(p *plan, app *App) ([]byte, error) {
	var f serverFile
	f.Server.PublicURL = p.publicURL
	f.GitHub.WebURL = p.webURL
	f.GitHub.V3APIURL = p.apiURL
	f.GitHub.V4APIURL = p.graphQLURL
	f.GitHub.App.IntegrationID = app.ID
	f.GitHub.App.WebhookSecret = *app.WebhookSecret
	f.GitHub.App.PrivateKey = app.PEM

	s := serverconfig.DefaultServer()
	s.HTTP.PublicURL = f.Server.PublicURL
	s.GitHub.WebURL, s.GitHub.V3APIURL, s.GitHub.V4APIURL = f.GitHub.WebURL, f.GitHub.V3APIURL, f.GitHub.V4APIURL
	s.GitHub.App.IntegrationID = app.ID
	s.GitHub.App.WebhookSecret = f.GitHub.App.WebhookSecret
	s.GitHub.App.PrivateKey = f.GitHub.App.PrivateKey
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("GitHub's answer does not make a valid configuration: %v", err)
	}

	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Server configuration for: goldenpath serve --config %s\n", filepath.Base(p.output))
	fmt.Fprintf(&buf, "# Written by `goldenpath setup` for the GitHub App %q (id %d) of %s.\n",
		oneLine(app.Name, 100), app.ID, p.org)
	buf.WriteString("# It holds the app's private key and webhook secret: keep it private.\n")
	buf.WriteString("# Unset keys (server address and port, logging, database, goldenpath) keep their defaults.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&f); err != nil {
		return nil, fmt.Errorf("encoding the configuration: %v", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encoding the configuration: %v", err)
	}
	return buf.Bytes(), nil
}

// writeConfig writes data to path with mode 0600. Without force an existing
// file is never replaced (O_EXCL); with force the file is replaced atomically
// by a renamed temporary file, so a failure leaves the old one intact.
func writeConfig(path string, data []byte, force bool) error {
	target := path
	if force {
		var suffix [8]byte
		_, _ = rand.Read(suffix[:])
		target = filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-"+hex.EncodeToString(suffix[:]))
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if os.IsExist(err) && !force {
			return fmt.Errorf("%s already exists; use --force to replace it", path)
		}
		return fmt.Errorf("writing %s: %v", path, cause(err))
	}
	err = f.Chmod(0o600) // whatever the umask
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && force {
		err = os.Rename(target, path)
	}
	if err != nil {
		os.Remove(target)
		return fmt.Errorf("writing %s: %v", path, cause(err))
	}
	return nil
}

// rescueConfig saves data somewhere when the output could not be written, so
// the app's private key, which GitHub shows only once, is not lost.
func rescueConfig(data []byte) (string, error) {
	f, err := os.CreateTemp("", "goldenpath-setup-*.yaml") // mode 0600
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
