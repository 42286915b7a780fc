# METADATA
# title: Infrastructure is defined as code
# description: |
#   The infrastructure the component runs on is declared in the repository:
#   Terraform/OpenTofu, Pulumi, AWS CDK or CDK for Terraform, CloudFormation/SAM,
#   Bicep/ARM, Serverless Framework, Helm, Kustomize, Crossplane, or plain
#   Kubernetes manifests (YAML in a k8s/, kubernetes/ or .helm/ directory, or a
#   deployment.yaml and the like below deploy/, manifests/, infra/ or ops/, at
#   any depth). Files under example, test, fixture and vendored trees (examples/,
#   testdata/, vendor/, node_modules/ ...) never count.
#   Only cheap, unambiguous signals count: a file named template.yaml counts as
#   CloudFormation only when it declares AWSTemplateFormatVersion or AWS:: types.
# custom:
#   aspect: operations
#   level: 2
#   severity: warning
#   applies_to: [service, website, infrastructure]
#   scope: component
#   reads: ["template.yaml", "template.yml", "template.json"]
#   remediation: |
#     Describe the component's infrastructure next to its code, with the tool your
#     platform supports. For Terraform, for example:
#
#     ```hcl
#     # infra/main.tf
#     terraform {
#       required_version = ">= 1.6"
#       backend "s3" {}
#     }
#
#     module "service" {
#       source = "git::https://github.com/acme/terraform-modules.git//service?ref=v3.2.0"
#       name   = "{{repository}}"
#       team   = "payments-team"
#     }
#     ```
#
#     or a Helm chart (`helm create chart`), or Kubernetes manifests under `k8s/`.
#     If the infrastructure lives in another repository, exempt this rule in
#     golden-path.yaml with the reason.
package goldenpath.rules.iac.present

import data.goldenpath.lib

# [tool, paths] pairs; a tool counts when its list is non-empty.
by_name := [
	["Terraform JSON", ["main.tf.json", "cdk.tf.json", "variables.tf.json", "providers.tf.json"]],
	["Pulumi", ["Pulumi.yaml", "Pulumi.yml"]],
	["AWS CDK", ["cdk.json"]],
	["CDK for Terraform", ["cdktf.json"]],
	["AWS SAM", ["samconfig.toml", "samconfig.yaml"]],
	["Azure Resource Manager", ["azuredeploy.json"]],
	["Serverless Framework", ["serverless.yml", "serverless.yaml"]],
	["Helm", ["Chart.yaml"]],
	["Kustomize", ["kustomization.yaml", "kustomization.yml", "Kustomization"]],
	["Crossplane", ["crossplane.yaml", "composition.yaml", "composition.yml", "xrd.yaml"]],
]

by_ext := [
	["Terraform", ".tf"],
	["OpenTofu", ".tofu"],
	["Bicep", ".bicep"],
	["Nomad", ".nomad"],
]

# Directories whose name alone says what they hold, at any depth.
by_dir := [
	["CloudFormation", {"cloudformation", "cfn"}],
	["Crossplane", {"crossplane", "compositions"}],
]

# Directories whose name says they hold Kubernetes manifests or Helm values
# (werf keeps its chart in .helm/, without a Chart.yaml), at any depth
# (cron/k8s/). Code packages are named like that too (pkg/k8s/ of a Go
# client), so such a directory counts only when YAML sits below it.
manifest_dirs := {"k8s", "kubernetes", "kube", ".k8s", ".kube", "helm", ".helm"}

# Directories that may hold anything, so they count only when a typical
# Kubernetes manifest sits below them, at any depth. Looking the manifest names
# up in the names index keeps this independent of the repository's size.
generic_dirs := {"deploy", "deployment", "deployments", "manifests", "infra", "ops"}

manifest_names := [
	"deployment.yaml", "deployment.yml", "statefulset.yaml", "daemonset.yaml",
	"cronjob.yaml", "ingress.yaml", "service.yaml", "configmap.yaml", "namespace.yaml",
	"values.yaml", "hpa.yaml",
]

yaml_files := array.concat(lib.with_ext(".yaml"), lib.with_ext(".yml"))

# Every tool's names (extensions, directories) are looked up at once before
# tool by tool: a rule of a monorepo runs once per component, and most
# components have none of them.
by_name_all := [n | some [_, names] in by_name; some n in names]

by_ext_all := [ext | some [_, ext] in by_ext]

by_dir_all := {n | some [_, names] in by_dir; some n in names}

evidence contains [tool, found[0]] if {
	count(lib.named_in(by_name_all)) > 0
	some [tool, names] in by_name
	found := lib.named_in(names)
	count(found) > 0
}

evidence contains [tool, example(ext)] if {
	count(lib.with_ext_in(by_ext_all)) > 0
	some [tool, ext] in by_ext
	lib.has_ext(ext)
}

# example(ext): main<ext> at the root when there is one, else the first file.
example(ext) := lib.path(root) if {
	root := concat("", ["main", ext])
	lib.exists(root)
} else := lib.with_ext(ext)[0]

evidence contains [tool, concat("", [d, "/"])] if {
	count(lib.dirs_named(by_dir_all)) > 0
	some [tool, names] in by_dir
	d := sort(lib.dirs_named(names))[0]
}

evidence contains ["Kubernetes manifests", concat("", [d, "/"])] if {
	some d in lib.dirs_named(manifest_dirs)
	prefix := concat("", [d, "/"])
	some p in yaml_files
	startswith(p, prefix)
}

evidence contains ["Kubernetes manifests", found[0]] if {
	found := sort([p |
		some p in lib.named_in(manifest_names)
		parts := split(trim_prefix(p, lib.base), "/")
		some d in array.slice(parts, 0, count(parts) - 1)
		d in generic_dirs
	])
	count(found) > 0
}

evidence contains ["CloudFormation", p] if {
	some rel in ["template.yaml", "template.yml", "template.json"]
	p := lib.path(rel)
	text := lib.content(p)
	regex.match(`AWSTemplateFormatVersion|Transform:\s*['"]?AWS::Serverless|['"]?Type['"]?\s*:\s*['"]?AWS::[A-Za-z0-9]+::`, text)
}

# A monorepo's shared deployment tree, in a file or directory named for the
# component (deploy/payments/, k8s/payments.yaml, terraform/payments/main.tf).
evidence contains [tool, found[0]] if {
	lib.shared_paths != []
	some [tool, names] in by_name
	found := lib.shared_named(names)
	count(found) > 0
}

evidence contains [tool, found[0]] if {
	lib.shared_paths != []
	some [tool, ext] in by_ext
	found := lib.shared_with_ext([ext])
	count(found) > 0
}

evidence contains ["Kubernetes manifests", found[0]] if {
	lib.shared_paths != []
	found := [p |
		some p in lib.shared_under(manifest_dirs | generic_dirs)
		regex.match(`\.ya?ml$`, p)
	]
	count(found) > 0
}

deny contains {"message": msg, "files": []} if {
	count(evidence) == 0
	msg := "no infrastructure as code: no Terraform/OpenTofu, Pulumi, CDK, CloudFormation/SAM, Bicep, Helm, Kustomize, Crossplane, or Kubernetes manifests in a k8s/, kubernetes/, manifests/ or deploy/ directory (example, test and vendored trees do not count)"
}

pass_message := sprintf("infrastructure as code: %s", [concat(", ", [sprintf("%s (%s)", [t, p]) | some [t, p] in evidence])]) if count(evidence) > 0
