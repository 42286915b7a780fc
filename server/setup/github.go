package setup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode"
)

// App is what GitHub returns when it converts a manifest code into an app
// (the 201 response of `POST /app-manifests/{code}/conversions`, operation
// apps/create-from-manifest). Only the fields setup uses are kept.
type App struct {
	ID            int64   `json:"id"`
	Slug          string  `json:"slug"`
	Name          string  `json:"name"`
	HTMLURL       string  `json:"html_url"`
	ClientID      string  `json:"client_id"`
	ClientSecret  string  `json:"client_secret"`
	WebhookSecret *string `json:"webhook_secret"` // nullable
	PEM           string  `json:"pem"`
	Owner         struct {
		Login string `json:"login"`
	} `json:"owner"`
}

// maxResponse bounds what is read from GitHub's answer.
const maxResponse = 1 << 20

// convert exchanges the temporary code from GitHub's redirect for the new
// app's credentials. The endpoint needs no authentication; the code is
// single-use and valid for an hour.
func convert(ctx context.Context, client *http.Client, apiURL, code string) (*App, error) {
	endpoint := apiURL + "app-manifests/" + url.PathEscape(code) + "/conversions"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, nil)
	if err != nil {
		return nil, fmt.Errorf("exchanging the manifest code with GitHub: %v", err)
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	req.Header.Set("User-Agent", "goldenpath-setup")
	resp, err := client.Do(req)
	if err != nil {
		// A *url.Error repeats the URL, which holds the one-time code.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("exchanging the manifest code with GitHub at %s: %v", apiURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("reading GitHub's answer to the manifest code exchange: %v", err)
	}
	if len(body) > maxResponse {
		return nil, fmt.Errorf("GitHub's answer to the manifest code exchange is larger than %d KiB", maxResponse>>10)
	}

	switch resp.StatusCode {
	case http.StatusCreated, http.StatusOK:
	case http.StatusNotFound:
		return nil, fmt.Errorf("GitHub did not accept the manifest code (%s%s): it is unknown, already used or more than an hour old; run setup again",
			resp.Status, githubMessage(body))
	case http.StatusUnprocessableEntity:
		return nil, fmt.Errorf("GitHub could not create the app from the manifest (%s%s)", resp.Status, githubMessage(body))
	default:
		return nil, fmt.Errorf("GitHub answered %s to the manifest code exchange%s", resp.Status, githubMessage(body))
	}

	var app App
	if err := json.Unmarshal(body, &app); err != nil {
		return nil, fmt.Errorf("GitHub's answer to the manifest code exchange is not the expected JSON: %v", err)
	}
	switch {
	case app.ID <= 0:
		return nil, errors.New("GitHub's answer to the manifest code exchange has no app id")
	case app.PEM == "":
		return nil, errors.New("GitHub's answer to the manifest code exchange has no private key (pem)")
	case app.WebhookSecret == nil || *app.WebhookSecret == "":
		return nil, errors.New("GitHub's answer to the manifest code exchange has no webhook secret")
	}
	return &app, nil
}

// githubMessage is ": message" from a GitHub error body, on one line and
// bounded, or "" when there is none.
func githubMessage(body []byte) string {
	var e struct {
		Message string `json:"message"`
		Errors  []any  `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil || e.Message == "" {
		return ""
	}
	msg := e.Message
	for _, x := range e.Errors {
		switch x := x.(type) {
		case string:
			msg += "; " + x
		case map[string]any:
			if m, ok := x["message"].(string); ok {
				msg += "; " + m
			}
		}
	}
	return ": " + oneLine(msg, 300)
}

// oneLine collapses control characters and bounds s, so text from elsewhere
// cannot break a one-line error or a comment.
func oneLine(s string, max int) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return s
}
