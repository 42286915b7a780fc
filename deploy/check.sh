#!/usr/bin/env bash
# deploy/check.sh — validates the deployment artefacts under deploy/.
#
#   * Helm chart: helm lint --strict and helm template for ci/sqlite-values.yaml and
#     ci/postgres-values.yaml, with assertions on the rendered manifests, plus values the
#     chart must refuse.
#   * PrometheusRule: the rendered alerts pass deploy/prometheus/alerts-test.yaml under
#     `promtool test rules` (go run of a pinned promtool).
#   * kustomize: kustomize build of base and overlays/postgres, with assertions.
#   * deploy/github-app.yaml: parses, exact permissions and events.
#   * Dockerfile: builds ./cmd/goldenpath with the flags used below, copies the binary to
#     where ENTRYPOINT points.
#   * Binary: static build with the Dockerfile's flags, statically linked, runs
#     `goldenpath version` in an empty root (skipped while ./cmd/goldenpath does not build).
#
# Runnable from any directory. Needs go, python3 with PyYAML (Debian: python3-yaml) and
# file. helm and kustomize are built from the Go module proxy once per run into a temporary
# directory; set GOLDENPATH_TOOLS_DIR to a directory to keep them between runs.
# STRICT_BINARY=1 makes a ./cmd/goldenpath that does not build an error instead of a skip.
set -euo pipefail

HELM_VERSION=v3.22.0
KUSTOMIZE_VERSION=v5.7.1
# promtool of Prometheus v3.x (Go module versions v0.3xx), for the alerts' unit tests.
PROMTOOL_VERSION=v0.316.0
# Kubernetes version that helm lint/template check API versions against.
KUBE_VERSION=1.30.0
# ldflags of deploy/Dockerfile, literally; VERSION and COMMIT are substituted below.
LDFLAGS_TEMPLATE='-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}'

DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$DEPLOY_DIR/.." && pwd)"
CHART="$DEPLOY_DIR/helm/goldenpath"
START=$SECONDS

WORK="$(mktemp -d "${TMPDIR:-/tmp}/goldenpath-check.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
TOOLS="${GOLDENPATH_TOOLS_DIR:-$WORK/tools}"
mkdir -p "$TOOLS"
TOOLS="$(cd "$TOOLS" && pwd)"

FAILURES=0
step() { printf '\n==> %s\n' "$*"; }
ok() { printf '    ok: %s\n' "$*"; }
skip() { printf '    SKIP: %s\n' "$*"; }
fail() { printf '    FAIL: %s\n' "$*" >&2; FAILURES=$((FAILURES + 1)); }
die() { printf 'check.sh: %s\n' "$*" >&2; exit 1; }

for t in go python3 file; do
  command -v "$t" >/dev/null || die "$t not found"
done
python3 -c 'import yaml' 2>/dev/null || die "python3 has no PyYAML (apt-get install python3-yaml)"

# ---------------------------------------------------------------------------------------
# Tools, built one at a time from the Go module proxy.

# build_tool NAME PACKAGE VERSION [LDFLAGS]
build_tool() {
  local name=$1 pkg=$2 version=$3 ldflags=${4:-}
  local stamp="$TOOLS/.$name.version"
  if [[ -x "$TOOLS/$name" && -f "$stamp" && "$(cat "$stamp")" == "$version" ]]; then
    ok "$name $version (cached in $TOOLS)"
    return
  fi
  local t0=$SECONDS
  # `go build -o` cannot take pkg@version outside a module; `go install` with GOBIN is the
  # same build written to the given directory. Run outside the repository, so that its
  # go.mod plays no part.
  (cd "$TOOLS" && GOBIN="$TOOLS" GOFLAGS=-buildvcs=false GOTOOLCHAIN=local \
    go install -ldflags "$ldflags" "$pkg@$version") \
    || die "could not build $pkg@$version"
  echo "$version" >"$stamp"
  ok "$name $version built in $((SECONDS - t0))s"
}

step "Tools"
# Same ldflags as helm's own Makefile (version, and the Kubernetes version of client-go
# v0.37 for the default capabilities); the checks below pass --kube-version anyway.
build_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" \
  "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION \
-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=37 \
-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=37"
build_tool kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION" "-s -w"
HELM="$TOOLS/helm"
KUSTOMIZE="$TOOLS/kustomize"
ok "$("$HELM" version --short)"
ok "kustomize $("$KUSTOMIZE" version)"

# ---------------------------------------------------------------------------------------
# Assertions on rendered manifests (python3 + PyYAML).

# assert_manifests FILE PROFILE — PROFILE: helm-sqlite | helm-postgres | kustomize-sqlite | kustomize-postgres
assert_manifests() {
  python3 - "$1" "$2" <<'PY'
import base64, sys, yaml

path, profile = sys.argv[1], sys.argv[2]
source, db, *variant = profile.split("-")
inline = "inline" in variant  # helm: credentials and database URL in the chart's Secret
docs = [d for d in yaml.safe_load_all(open(path)) if d]
errors = []

def check(cond, msg):
    if not cond:
        errors.append(msg)

def of_kind(kind):
    return [d for d in docs if d.get("kind") == kind]

SENSITIVE = ["PRIVATE KEY", "ci-fake-webhook-secret", "ci-fake-api-token", "postgres://", "postgresql://"]
SENSITIVE_ENV = {"GITHUB_APP_PRIVATE_KEY", "GITHUB_APP_WEBHOOK_SECRET", "GOLDENPATH_API_TOKEN",
                 "GOLDENPATH_DATABASE_URL", "GITHUB_APP_INTEGRATION_ID"}

# Nothing sensitive in a ConfigMap (there should be none at all, but check the content).
for cm in of_kind("ConfigMap"):
    text = yaml.safe_dump(cm)
    for s in SENSITIVE:
        check(s not in text, f"ConfigMap {cm['metadata']['name']} contains {s!r}")
    for b in (cm.get("binaryData") or {}).values():
        dec = base64.b64decode(b).decode(errors="replace")
        for s in SENSITIVE:
            check(s not in dec, f"ConfigMap {cm['metadata']['name']} binaryData contains {s!r}")

def secret_data(sec):
    out = {k: base64.b64decode(v).decode() for k, v in (sec.get("data") or {}).items()}
    out.update(sec.get("stringData") or {})
    return out

secrets = {s["metadata"]["name"]: secret_data(s) for s in of_kind("Secret")}

# The rendered config.yaml: a Secret, no credentials in it, listens on 0.0.0.0:8080.
configs = [(n, d["config.yaml"]) for n, d in secrets.items() if "config.yaml" in d]
check(len(configs) == 1, f"expected one Secret with config.yaml, found {len(configs)}")
for name, text in configs:
    cfg = yaml.safe_load(text)
    for s in SENSITIVE:
        check(s not in text, f"config.yaml in Secret {name} contains {s!r}")
    check("app" not in (cfg.get("github") or {}), "config.yaml has github.app (credentials belong in env)")
    check("api_token" not in (cfg.get("server") or {}), "config.yaml has server.api_token")
    check(cfg.get("server", {}).get("address") == "0.0.0.0", "config.yaml server.address is not 0.0.0.0")
    check(cfg.get("server", {}).get("port") == 8080, "config.yaml server.port is not 8080")
    known = {"server", "logging", "github", "database", "goldenpath"}
    check(set(cfg) <= known, f"config.yaml has unknown top-level keys {sorted(set(cfg) - known)}")
    dburl = (cfg.get("database") or {}).get("url")
    if db == "sqlite":
        check(dburl == "sqlite:///var/lib/goldenpath/goldenpath.db", f"sqlite config database.url is {dburl!r}")
    else:
        check(dburl is None, f"postgres config.yaml must not carry database.url, has {dburl!r}")

# The helm sqlite profile sets the (fake) credentials inline: they must be in the chart's
# Secret; the other profiles reference an existing Secret, so none may be rendered.
cred = [d for d in secrets.values() if "GITHUB_APP_PRIVATE_KEY" in d]
if profile == "helm-sqlite" or inline:
    check(len(cred) == 1 and "PRIVATE KEY" in cred[0]["GITHUB_APP_PRIVATE_KEY"],
          "the private key is not in the chart's credentials Secret")
else:
    check(not cred, "credentials Secret rendered although an existing Secret is referenced")
if inline:
    check(len(cred) == 1 and cred[0].get("GOLDENPATH_DATABASE_URL", "").startswith("postgres://"),
          "inline database.url is not in the chart's Secret")

deps = of_kind("Deployment")
check(len(deps) == 1, f"expected 1 Deployment, found {len(deps)}")
want_replicas = 1 if db == "sqlite" else 2
for dep in deps:
    spec = dep["spec"]
    check(spec.get("replicas") == want_replicas, f"replicas {spec.get('replicas')} != {want_replicas}")
    strategy = (spec.get("strategy") or {}).get("type")
    check(strategy == ("Recreate" if db == "sqlite" else "RollingUpdate"), f"strategy {strategy}")
    pod = spec["template"]["spec"]
    psc = pod.get("securityContext") or {}
    check(psc.get("runAsNonRoot") is True, "pod runAsNonRoot")
    check((psc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", "pod seccomp RuntimeDefault")
    check(pod.get("automountServiceAccountToken") is False, "automountServiceAccountToken not false")
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    cs = pod["containers"]
    check(len(cs) == 1, "one container")
    c = cs[0]
    sc = c.get("securityContext") or {}
    check(sc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem")
    check(sc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation false")
    check(sc.get("runAsNonRoot") is True, "container runAsNonRoot")
    check((sc.get("capabilities") or {}).get("drop") == ["ALL"], "capabilities drop ALL")
    check((sc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", "container seccomp RuntimeDefault")
    check(c.get("args") == ["serve", "--config", "/etc/goldenpath/config.yaml"], f"args {c.get('args')}")
    check(any(p.get("containerPort") == 8080 and p.get("name") == "http" for p in c.get("ports", [])), "port http 8080")
    check(((c.get("livenessProbe") or {}).get("httpGet") or {}).get("path") == "/healthz", "liveness /healthz")
    check(((c.get("readinessProbe") or {}).get("httpGet") or {}).get("path") == "/readyz", "readiness /readyz")
    res = c.get("resources") or {}
    check(res.get("requests") and (res.get("limits") or {}).get("memory"), "resources requests and memory limit")
    mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
    check("emptyDir" in vols.get(mounts.get("/tmp"), {}), "/tmp is an emptyDir")
    check("secret" in vols.get(mounts.get("/etc/goldenpath"), {}), "/etc/goldenpath comes from a Secret")
    data = vols.get(mounts.get("/var/lib/goldenpath"), {})
    if db == "sqlite":
        check("persistentVolumeClaim" in data, "SQLite data volume is not a PVC")
    else:
        check("persistentVolumeClaim" not in data, "postgres must not use the SQLite PVC")
    env = {e["name"]: e for e in c.get("env", [])}
    for name in SENSITIVE_ENV:
        if name not in env:
            if name == "GOLDENPATH_DATABASE_URL" and db == "sqlite":
                continue
            errors.append(f"env {name} missing")
            continue
        e = env[name]
        check("value" not in e, f"env {name} has a literal value")
        vf = e.get("valueFrom") or {}
        check("secretKeyRef" in vf, f"env {name} is not read from a Secret (valueFrom {list(vf)})")
    if db == "sqlite":
        check("GOLDENPATH_DATABASE_URL" not in env, "SQLite deployment sets GOLDENPATH_DATABASE_URL")
    for ef in c.get("envFrom", []) or []:
        check("configMapRef" not in ef, "envFrom a ConfigMap")

pvcs = of_kind("PersistentVolumeClaim")
pdbs = of_kind("PodDisruptionBudget")
if db == "sqlite":
    check(len(pvcs) == 1, f"SQLite: expected 1 PVC, found {len(pvcs)}")
    check(not pdbs, "SQLite: PodDisruptionBudget rendered")
else:
    check(not pvcs, "postgres: PVC rendered")
    check(len(pdbs) == 1, f"postgres: expected 1 PodDisruptionBudget, found {len(pdbs)}")
    for pdb in pdbs:
        sel = pdb["spec"]["selector"]["matchLabels"]
        tmpl = deps[0]["spec"]["template"]["metadata"]["labels"] if deps else {}
        check(all(tmpl.get(k) == v for k, v in sel.items()), "PDB selector does not match the pods")
        check("app.kubernetes.io/name" in sel and "app.kubernetes.io/instance" in sel, "PDB selector too broad")

svcs = of_kind("Service")
check(len(svcs) == 1, f"expected 1 Service, found {len(svcs)}")
for svc in svcs:
    sel = svc["spec"]["selector"]
    tmpl = deps[0]["spec"]["template"]["metadata"]["labels"] if deps else {}
    check(all(tmpl.get(k) == v for k, v in sel.items()), "Service selector does not match the pods")
    check(any(p.get("targetPort") in ("http", 8080) for p in svc["spec"]["ports"]), "Service targets http")

if source == "helm":
    check(len(of_kind("Ingress")) == 1, "Ingress missing (enabled in CI values)")
    sms = of_kind("ServiceMonitor")
    check(len(sms) == 1 and sms[0]["spec"]["endpoints"][0]["path"] == "/metrics", "ServiceMonitor /metrics")
    rules = [r for pr in of_kind("PrometheusRule") for g in pr["spec"]["groups"] for r in g["rules"]]
    exprs = "\n".join(r["expr"] for r in rules)
    for metric in ['goldenpath_webhook_deliveries_total', 'status=~"5.."',
                   'goldenpath_queue_oldest_job_age_seconds', '> 600',
                   'goldenpath_github_rate_limit_remaining', 'goldenpath_github_rate_limit_limit', '< 0.1',
                   'goldenpath_jobs_total', 'outcome="retried"']:
        check(metric in exprs, f"PrometheusRule lacks {metric}")
    for r in rules:
        check(r.get("alert") and r.get("for") and r.get("labels", {}).get("severity"), f"rule {r.get('alert')} incomplete")
        check("{{ $value" in yaml.safe_dump(r.get("annotations", {})) or r["alert"] == "GoldenPathDown",
              f"rule {r.get('alert')} annotations lost the {{{{ $value }}}} template")

if errors:
    for e in errors:
        print(f"    FAIL [{profile}]: {e}", file=sys.stderr)
    sys.exit(1)
kinds = sorted({d["kind"] for d in docs})
print(f"    ok: {profile}: {len(docs)} objects ({', '.join(kinds)})")
PY
}

# ---------------------------------------------------------------------------------------
step "Helm chart $CHART"
for profile in sqlite postgres; do
  values="$CHART/ci/$profile-values.yaml"
  if "$HELM" lint "$CHART" --strict --quiet --kube-version "$KUBE_VERSION" -f "$values" >"$WORK/lint-$profile.txt" 2>&1; then
    ok "helm lint --strict ($profile)"
  else
    cat "$WORK/lint-$profile.txt" >&2
    fail "helm lint ($profile)"
  fi
  out="$WORK/helm-$profile.yaml"
  if "$HELM" template goldenpath "$CHART" --namespace goldenpath --kube-version "$KUBE_VERSION" \
      -f "$values" >"$out" 2>"$WORK/template-$profile.err"; then
    ok "helm template ($profile)"
    assert_manifests "$out" "helm-$profile" || fail "assertions on helm template ($profile)"
  else
    cat "$WORK/template-$profile.err" >&2
    fail "helm template ($profile)"
  fi
done

# The chart's alerts, unit-tested with promtool (deploy/prometheus/alerts-test.yaml)
# on the rules rendered with the CI values.
step "PrometheusRule alerts (promtool test rules)"
if python3 - "$WORK/helm-sqlite.yaml" "$WORK/rules.yaml" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d.get("kind") == "PrometheusRule"]
yaml.safe_dump({"groups": docs[0]["spec"]["groups"]}, open(sys.argv[2], "w"), sort_keys=False)
PY
then
  cp "$DEPLOY_DIR/prometheus/alerts-test.yaml" "$WORK/alerts-test.yaml"
  # go run of a pinned promtool, outside the repository so that its go.mod plays no part.
  if (cd "$WORK" && GOFLAGS=-buildvcs=false GOTOOLCHAIN=local \
      go run "github.com/prometheus/prometheus/cmd/promtool@$PROMTOOL_VERSION" test rules alerts-test.yaml) \
      >"$WORK/promtool.txt" 2>&1; then
    ok "promtool $PROMTOOL_VERSION test rules: $(grep -c 'alertname:' "$DEPLOY_DIR/prometheus/alerts-test.yaml") alert checks pass"
  else
    cat "$WORK/promtool.txt" >&2
    fail "promtool test rules"
  fi
else
  fail "PrometheusRule not found in the rendered chart"
fi

# Values the chart must refuse, with the message it must give.
expect_refusal() {
  local what=$1 pattern=$2
  shift 2
  local err="$WORK/refusal.err"
  if "$HELM" template goldenpath "$CHART" --kube-version "$KUBE_VERSION" "$@" >/dev/null 2>"$err"; then
    fail "$what: rendered, should have been refused"
  elif grep -q -- "$pattern" "$err"; then
    ok "refused: $what"
  else
    cat "$err" >&2
    fail "$what: refused without the expected message /$pattern/"
  fi
}
expect_refusal "replicaCount=2 with SQLite" "SQLite supports a single replica" \
  -f "$CHART/ci/sqlite-values.yaml" --set replicaCount=3
expect_refusal "no credentials and no existingSecret" "github.appId is required"
expect_refusal "private key in config.github.app" "config.github.app must not be set" \
  -f "$CHART/ci/sqlite-values.yaml" --set config.github.app.private_key=x
expect_refusal "database.url not PostgreSQL" "database.url must be a postgres" \
  -f "$CHART/ci/sqlite-values.yaml" --set database.url=sqlite:///data/x.db

# Inline PostgreSQL URL: it goes into the chart's Secret, never into config.yaml.
out="$WORK/helm-postgres-inline.yaml"
if "$HELM" template goldenpath "$CHART" --kube-version "$KUBE_VERSION" -f "$CHART/ci/sqlite-values.yaml" \
    --set database.url='postgres://gp:ci-fake@db:5432/gp' >"$out" 2>"$WORK/pg-inline.err"; then
  assert_manifests "$out" "helm-postgres-inline" || fail "assertions with an inline database.url"
else
  cat "$WORK/pg-inline.err" >&2
  fail "helm template with an inline database.url"
fi

# ---------------------------------------------------------------------------------------
step "kustomize"
for overlay in base overlays/postgres; do
  profile=sqlite
  [[ $overlay == overlays/postgres ]] && profile=postgres
  out="$WORK/kustomize-$profile.yaml"
  if "$KUSTOMIZE" build "$DEPLOY_DIR/kustomize/$overlay" >"$out" 2>"$WORK/kustomize.err"; then
    ok "kustomize build $overlay"
    assert_manifests "$out" "kustomize-$profile" || fail "assertions on kustomize build $overlay"
  else
    cat "$WORK/kustomize.err" >&2
    fail "kustomize build $overlay"
  fi
done

# ---------------------------------------------------------------------------------------
step "GitHub App manifest"
if python3 - "$DEPLOY_DIR/github-app.yaml" <<'PY'
import json, sys, yaml
m = yaml.safe_load(open(sys.argv[1]))
json.dumps(m)  # the manifest flow posts JSON
errors = []
want_perms = {"checks": "write", "contents": "read", "issues": "write", "pull_requests": "read", "metadata": "read"}
want_events = {"check_run", "check_suite", "issues", "pull_request", "push", "repository"}
allowed = {"name", "url", "hook_attributes", "redirect_url", "callback_urls", "setup_url", "description",
           "public", "default_events", "default_permissions", "request_oauth_on_install", "setup_on_update"}
if set(m) - allowed: errors.append(f"unknown manifest keys {sorted(set(m) - allowed)}")
for k in ("name", "url", "hook_attributes", "redirect_url", "description"):
    if not m.get(k): errors.append(f"{k} missing")
if m.get("public") is not False: errors.append("public must be false")
if not str((m.get("hook_attributes") or {}).get("url", "")).endswith("/api/github/hook"):
    errors.append("hook_attributes.url must end with /api/github/hook")
if m.get("default_permissions") != want_perms: errors.append(f"default_permissions {m.get('default_permissions')}")
ev = m.get("default_events") or []
if set(ev) != want_events or len(ev) != len(want_events): errors.append(f"default_events {ev}")
if errors:
    for e in errors: print(f"    FAIL: github-app.yaml: {e}", file=sys.stderr)
    sys.exit(1)
print(f"    ok: github-app.yaml parses; {len(want_perms)} permissions, events {', '.join(sorted(ev))}")
PY
then :; else fail "deploy/github-app.yaml"; fi

# ---------------------------------------------------------------------------------------
step "Dockerfile and .dockerignore"
DOCKERFILE="$DEPLOY_DIR/Dockerfile"
df_has() { # df_has DESCRIPTION EXTENDED-REGEX
  if grep -Eq -- "$2" "$DOCKERFILE"; then ok "$1"; else fail "Dockerfile: $1 (/$2/)"; fi
}
df_has "builder golang:1.26" '^FROM .*golang:\$\{GO_VERSION\}|^FROM .*golang:1\.26'
grep -Eq '^ARG GO_VERSION=1\.26$' "$DOCKERFILE" || grep -Eq '^FROM .*golang:1\.26' "$DOCKERFILE" \
  || fail "Dockerfile: Go version is not 1.26"
df_has "runtime distroless static nonroot" '^FROM gcr\.io/distroless/static-debian12:nonroot$'
df_has "CGO_ENABLED=0" 'CGO_ENABLED=0'
df_has "-trimpath" 'go build .*-trimpath'
grep -Fq -- "-ldflags \"$LDFLAGS_TEMPLATE\"" "$DOCKERFILE" \
  && ok "ldflags match check.sh's: $LDFLAGS_TEMPLATE" || fail "Dockerfile ldflags differ from: $LDFLAGS_TEMPLATE"
df_has "builds ./cmd/goldenpath" '-o [^ ]+ \./cmd/goldenpath'
df_has "ARG VERSION / COMMIT" '^ARG VERSION'
df_has "EXPOSE 8080" '^EXPOSE 8080$'
df_has "non-root USER" '^USER (65532|nonroot)'
df_has "default CMD serve --config /etc/goldenpath/config.yaml" '^CMD \["serve", "--config", "/etc/goldenpath/config.yaml"\]$'
df_has "WORKDIR /var/lib/goldenpath" '^WORKDIR /var/lib/goldenpath$'
df_has "VOLUME /var/lib/goldenpath" '^VOLUME \["/var/lib/goldenpath"\]$'
built=$(grep -Eo -- '-o [^ ]+ \./cmd/goldenpath' "$DOCKERFILE" | awk '{print $2}' | head -1)
copied_to=$(awk -v b="$built" '$1 == "COPY" && $2 ~ /^--from=build/ && $(NF-1) == b { print $NF; exit }' "$DOCKERFILE")
entrypoint=$(sed -nE 's/^ENTRYPOINT \["([^"]+)"\]$/\1/p' "$DOCKERFILE")
if [[ -n "$built" && -n "$copied_to" && "$copied_to" == "$entrypoint" ]]; then
  ok "binary built at $built, copied to $copied_to = ENTRYPOINT"
else
  fail "Dockerfile paths disagree: built '$built', copied to '$copied_to', ENTRYPOINT '$entrypoint'"
fi
[[ "$(basename "$entrypoint")" == goldenpath ]] && ok "ENTRYPOINT is goldenpath" || fail "ENTRYPOINT is not goldenpath"
# The chart and the kustomize base run the same command and port as the image.
grep -q '^containerPort: 8080$' "$CHART/values.yaml" && ok "chart containerPort 8080 = EXPOSE" || fail "chart containerPort"
# .dockerignore must keep what the build needs and drop what must not reach an image.
DOCKERIGNORE="$REPO_ROOT/.dockerignore"
if [[ -f "$DOCKERIGNORE" ]]; then
  for needed in go.mod go.sum cmd policies internal pkg deploy/Dockerfile; do
    if grep -Ev '^\s*(#|$)' "$DOCKERIGNORE" | grep -Exq -- "/?$needed(/.*)?|\*\*?"; then
      fail ".dockerignore excludes $needed"
    fi
  done
  for excluded in .git '\*\*/\*\.db' '\*\*/\*\.pem'; do
    grep -Eq "^$excluded$" "$DOCKERIGNORE" || fail ".dockerignore does not exclude $excluded"
  done
  ok ".dockerignore keeps sources, excludes .git, *.db, *.pem"
else
  fail "$DOCKERIGNORE missing"
fi

# ---------------------------------------------------------------------------------------
step "Static binary (./cmd/goldenpath)"
VERSION="0.0.0-check"
COMMIT="0123456789abcdef0123456789abcdef01234567"
ldflags="${LDFLAGS_TEMPLATE//\$\{VERSION\}/$VERSION}"
ldflags="${ldflags//\$\{COMMIT\}/$COMMIT}"
ROOTFS="$WORK/rootfs"
mkdir -p "$ROOTFS"
BIN="$ROOTFS/goldenpath"
binary_skip() {
  if [[ "${STRICT_BINARY:-0}" == 1 ]]; then fail "$1"; else skip "$1"; fi
}
if ! compgen -G "$REPO_ROOT/cmd/goldenpath/*.go" >/dev/null; then
  binary_skip "./cmd/goldenpath has no Go files yet"
elif ! (cd "$REPO_ROOT" && CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "$ldflags" \
          -o "$BIN" ./cmd/goldenpath) >"$WORK/build.log" 2>&1; then
  sed 's/^/      /' "$WORK/build.log" | head -20
  binary_skip "./cmd/goldenpath does not build yet (output above)"
else
  ok "CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags \"$ldflags\" ./cmd/goldenpath"
  size=$(stat -c %s "$BIN")
  printf '    binary size: %s bytes (%s MiB)\n' "$size" "$(awk -v s="$size" 'BEGIN{printf "%.1f", s/1048576}')"
  finfo=$(file -b "$BIN")
  if [[ "$finfo" == *"statically linked"* && "$finfo" != *"dynamically linked"* && "$finfo" != *interpreter* ]]; then
    ok "file: statically linked"
  else
    fail "file says: $finfo"
  fi
  if ldd_out=$(ldd "$BIN" 2>&1); then
    fail "ldd lists dependencies: $ldd_out"
  elif [[ "$ldd_out" == *"not a dynamic executable"* || "$ldd_out" == *"statically linked"* ]]; then
    ok "ldd: not a dynamic executable"
  else
    fail "ldd: $ldd_out"
  fi
  # Run `goldenpath version` in a root that holds only the binary, with no environment:
  # plain chroot as root, else chroot inside a user namespace.
  CHROOT=$(command -v chroot || true)
  UNSHARE=$(command -v unshare || true)
  attempts=()
  [[ -n "$CHROOT" && $EUID -eq 0 ]] && attempts+=("chroot")
  [[ -n "$CHROOT" && -n "$UNSHARE" ]] && attempts+=("unshare")
  how="" vout="" vrc=1
  for a in "${attempts[@]}"; do
    case $a in
      chroot) cmd=("$CHROOT" "$ROOTFS" /goldenpath version) ;;
      unshare) cmd=("$UNSHARE" --user --map-root-user "$CHROOT" "$ROOTFS" /goldenpath version) ;;
    esac
    vrc=0
    vout=$(env -i "${cmd[@]}" 2>&1) || vrc=$?
    # chroot/unshare themselves refused (no CAP_SYS_CHROOT, no user namespaces): next way.
    if [[ $vrc -ne 0 && "$vout" =~ ^(chroot|unshare):\ (cannot\ change\ root|unshare\ failed|write\ failed) ]]; then
      printf '      (%s not possible: %s)\n' "$a" "$vout"
      continue
    fi
    how=$a
    break
  done
  if [[ -z "$how" ]]; then
    skip "no way to chroot here (needs root or user namespaces): not run in an empty root"
  elif [[ $vrc -ne 0 ]]; then
    printf '%s\n' "$vout" | sed 's/^/      /' | head -20
    fail "goldenpath version exits $vrc in an empty root ($how)"
  else
    printf '%s\n' "$vout" | sed 's/^/      /'
    if [[ "$vout" == *"$VERSION"* && "$vout" == *"${COMMIT:0:7}"* ]]; then
      ok "goldenpath version runs in an empty root ($how) and reports the -X version and commit"
    else
      fail "goldenpath version does not report version $VERSION and commit ${COMMIT:0:7} (-ldflags -X main.version/main.commit)"
    fi
  fi
fi

# ---------------------------------------------------------------------------------------
ELAPSED=$((SECONDS - START))
if ((FAILURES > 0)); then
  printf '\ncheck.sh: %d check(s) FAILED (%ss)\n' "$FAILURES" "$ELAPSED" >&2
  exit 1
fi
printf '\ncheck.sh: all deployment checks passed in %ss (helm %s, kustomize %s)\n' "$ELAPSED" "$HELM_VERSION" "$KUSTOMIZE_VERSION"
