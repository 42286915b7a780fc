{{/* Chart name. */}}
{{- define "goldenpath.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name. */}}
{{- define "goldenpath.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "goldenpath.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "goldenpath.selectorLabels" -}}
app.kubernetes.io/name: {{ include "goldenpath.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "goldenpath.labels" -}}
helm.sh/chart: {{ include "goldenpath.chart" . }}
{{ include "goldenpath.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: goldenpath
{{- end }}

{{- define "goldenpath.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "goldenpath.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "goldenpath.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* "postgres" when a PostgreSQL URL is configured (inline or by Secret), else "sqlite". */}}
{{- define "goldenpath.databaseType" -}}
{{- if or .Values.database.url .Values.database.existingSecret }}postgres{{ else }}sqlite{{ end }}
{{- end }}

{{/*
Replica count: explicit replicaCount, else 1 (SQLite) or 2 (PostgreSQL).
Refuses more than one replica on SQLite: the file sits on a ReadWriteOnce volume and
SQLite has a single writer.
*/}}
{{- define "goldenpath.replicas" -}}
{{- $db := include "goldenpath.databaseType" . }}
{{- $replicas := 1 }}
{{- if not (kindIs "invalid" .Values.replicaCount) }}
{{- $replicas = int .Values.replicaCount }}
{{- else if eq $db "postgres" }}
{{- $replicas = 2 }}
{{- end }}
{{- if and (eq $db "sqlite") (gt $replicas 1) }}
{{- fail (printf "replicaCount=%d needs PostgreSQL: SQLite supports a single replica only. Set database.url or database.existingSecret, or replicaCount=1." $replicas) }}
{{- end }}
{{- if lt $replicas 0 }}
{{- fail "replicaCount must not be negative" }}
{{- end }}
{{- $replicas }}
{{- end }}

{{/* Name of the Secret holding credentials (existing or chart-managed). */}}
{{- define "goldenpath.credentialsSecretName" -}}
{{- .Values.existingSecret | default (include "goldenpath.fullname" .) }}
{{- end }}

{{/* Name of the Secret holding the database URL. */}}
{{- define "goldenpath.databaseSecretName" -}}
{{- if .Values.database.existingSecret }}
{{- .Values.database.existingSecret }}
{{- else }}
{{- include "goldenpath.fullname" . }}
{{- end }}
{{- end }}

{{- define "goldenpath.databaseSecretKey" -}}
{{- if .Values.database.existingSecret }}
{{- .Values.database.existingSecretKey | default "GOLDENPATH_DATABASE_URL" }}
{{- else -}}
GOLDENPATH_DATABASE_URL
{{- end }}
{{- end }}

{{/* Whether the chart renders its own credentials Secret. */}}
{{- define "goldenpath.createSecret" -}}
{{- if or (not .Values.existingSecret) (and .Values.database.url (not .Values.database.existingSecret)) }}true{{ end }}
{{- end }}

{{- define "goldenpath.configSecretName" -}}
{{- .Values.existingConfigSecret | default (printf "%s-config" (include "goldenpath.fullname" .)) }}
{{- end }}

{{/* Validation of values; rendered (as nothing) by the Deployment. */}}
{{- define "goldenpath.validate" -}}
{{- $cfg := .Values.config | default dict }}
{{- $gh := get $cfg "github" | default dict }}
{{- if hasKey $gh "app" }}
{{- fail "config.github.app must not be set: the GitHub App credentials are secrets. Use existingSecret, or github.appId / github.webhookSecret / github.privateKey." }}
{{- end }}
{{- $srv := get $cfg "server" | default dict }}
{{- if hasKey $srv "api_token" }}
{{- fail "config.server.api_token must not be set: use apiToken or existingSecret (key GOLDENPATH_API_TOKEN)." }}
{{- end }}
{{- if or (hasKey $srv "address") (hasKey $srv "port") }}
{{- fail "config.server.address/port are set by the chart (0.0.0.0 and containerPort)." }}
{{- end }}
{{- if hasKey $cfg "database" }}
{{- fail "config.database must not be set: use database.url, database.existingSecret or database.sqlite.path." }}
{{- end }}
{{- if and .Values.database.url (not (regexMatch "^postgres(ql)?://" .Values.database.url)) }}
{{- fail "database.url must be a postgres:// or postgresql:// URL; leave it empty for SQLite (database.sqlite.path)." }}
{{- end }}
{{- if and .Values.database.url .Values.database.existingSecret }}
{{- fail "set only one of database.url and database.existingSecret" }}
{{- end }}
{{- if not (hasPrefix "/var/lib/goldenpath/" .Values.database.sqlite.path) }}
{{- fail "database.sqlite.path must be a file under /var/lib/goldenpath/ (the data volume)" }}
{{- end }}
{{- if not .Values.existingSecret }}
{{- $_ := required "github.appId is required (or set existingSecret)" .Values.github.appId }}
{{- $_ := required "github.webhookSecret is required (or set existingSecret)" .Values.github.webhookSecret }}
{{- $_ := required "github.privateKey is required (or set existingSecret)" .Values.github.privateKey }}
{{- end }}
{{- end }}
