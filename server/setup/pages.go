package setup

import (
	"bytes"
	"html/template"
	"net/http"
)

// Every page is rendered with html/template: the org, URLs and whatever
// GitHub returns are escaped for their context.
const layout = `{{define "layout"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{template "title" .}} · goldenpath setup</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1f2328}
code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px;word-break:break-all}
button,.button{display:inline-block;background:#1f883d;color:#fff;border:0;border-radius:6px;padding:.6rem 1.2rem;font-size:1rem;cursor:pointer;text-decoration:none}
.error{color:#cf222e}
</style>
</head>
<body>
<main>
{{template "body" .}}
</main>
</body>
</html>{{end}}`

var (
	startPage = page(`{{define "title"}}Register {{.Name}} on {{.Org}}{{end}}
{{define "body"}}
<h1>Register {{.Name}} on {{.Org}}</h1>
<p>The button opens GitHub with the app's manifest filled in. There, check the app's name
(names are unique across GitHub, so change it if it is taken) and press
<strong>Create GitHub App</strong>. GitHub then sends you back here, and the app's
credentials are written to <code>{{.Output}}</code>.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="manifest" value="{{.Manifest}}">
<button type="submit">Create the app on {{.WebURL}}</button>
</form>
<h2>What the app asks for</h2>
<p>Webhooks to <code>{{.WebhookURL}}</code>.</p>
<ul>
{{range $perm, $access := .Permissions}}<li><code>{{$perm}}</code>: {{$access}}</li>
{{end}}</ul>
<p>Events: {{range $i, $e := .Events}}{{if $i}}, {{end}}<code>{{$e}}</code>{{end}}
(plus <code>installation</code> and <code>installation_repositories</code>, which every app receives).</p>
{{end}}`)

	donePage = page(`{{define "title"}}{{.Result.Name}} is registered{{end}}
{{define "body"}}
<h1>{{.Result.Name}} is registered on {{.Org}}</h1>
<p>GitHub created the app <a href="{{.Result.HTMLURL}}">{{.Result.Name}}</a> (id {{.Result.AppID}}).
Its configuration, with the private key and webhook secret, is in
<code>{{.Result.ConfigPath}}</code> (mode 0600). Keep that file private.</p>
<h2>Next steps</h2>
<ol>
<li>Run <code>goldenpath serve --config {{.Result.ConfigPath}}</code> where
<code>{{.WebhookURL}}</code> reaches it.</li>
<li>Install the app on {{.Org}}, on all repositories or on those to score plus the
<code>.github</code> configuration repository:
<a class="button" href="{{.Result.InstallURL}}">Install {{.Result.Name}}</a></li>
</ol>
<p>You can close this tab.</p>
{{end}}`)

	failedPage = page(`{{define "title"}}{{.Title}}{{end}}
{{define "body"}}
<h1 class="error">{{.Title}}</h1>
<p>{{.Message}}</p>
{{with .Local}}<p>To register the app, start from <a href="{{.}}">{{.}}</a>.</p>{{end}}
{{end}}`)
)

func page(body string) *template.Template {
	return template.Must(template.Must(template.New("layout").Parse(layout)).Parse(body))
}

// render executes t into a buffer first, so a template error cannot leave
// half a page behind a 200.
func render(w http.ResponseWriter, status int, t *template.Template, data map[string]any) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}
