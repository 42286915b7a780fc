package goldenpath.rules.iac.present

test_pass_terraform if {
	i := {"names": {"main.tf": ["infra/main.tf"]}, "exts": {".tf": ["infra/main.tf"]}, "dirs": {"infra": true}, "files": {}}
	count(deny) == 0 with input as i
	pass_message == "infrastructure as code: Terraform (infra/main.tf)" with input as i
}

test_pass_each_named_tool if {
	every name in ["Pulumi.yaml", "cdk.json", "Chart.yaml", "kustomization.yml", "crossplane.yaml", "serverless.yml", "main.tf.json"] {
		count(deny) == 0 with input as {"names": {name: [concat("/", ["x", name])]}, "exts": {}, "dirs": {}, "files": {}}
	}
}

test_pass_kubernetes_manifests_dir if {
	i := {"names": {}, "exts": {".yaml": ["a.yaml", "k8s/app.yaml"]}, "dirs": {"k8s": true}, "dir_names": {"k8s": ["k8s"]}, "files": {}}
	pass_message == "infrastructure as code: Kubernetes manifests (k8s/)" with input as i
}

test_pass_manifest_below_generic_dir if {
	i := {"names": {"deployment.yaml": ["deploy/base/deployment.yaml"]}, "exts": {}, "dirs": {"deploy": true, "deploy/base": true}, "files": {}}
	pass_message == "infrastructure as code: Kubernetes manifests (deploy/base/deployment.yaml)" with input as i
}

test_fail_deploy_dir_without_manifests if {
	i := {
		"names": {"deploy.sh": ["deploy/deploy.sh"], "deployment.yaml": ["docs/examples/deployment.yaml"]},
		"exts": {".sh": ["deploy/deploy.sh"], ".yaml": ["docs/examples/deployment.yaml"]},
		"dirs": {"deploy": true, "docs": true, "docs/examples": true}, "files": {},
	}
	count(deny) == 1 with input as i
}

test_pass_cloudformation_template_by_content if {
	i := {
		"names": {"template.yaml": ["template.yaml"]}, "exts": {".yaml": ["template.yaml"]}, "dirs": {},
		"files": {"template.yaml": {"content": "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n"}},
	}
	pass_message == "infrastructure as code: CloudFormation (template.yaml)" with input as i
}

test_fail_template_yaml_that_is_not_cloudformation if {
	i := {
		"names": {"template.yaml": ["template.yaml"]}, "exts": {".yaml": ["template.yaml"]}, "dirs": {},
		"files": {"template.yaml": {"content": "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\n"}},
	}
	d := deny with input as i
	d == {{"message": "no infrastructure as code: no Terraform/OpenTofu, Pulumi, CDK, CloudFormation/SAM, Bicep, Helm, Kustomize, Crossplane, or Kubernetes manifests in a k8s/, kubernetes/, manifests/ or deploy/ directory (example, test and vendored trees do not count)", "files": []}}
}

test_fail_nothing if {
	count(deny) == 1 with input as {"names": {"main.go": ["main.go"]}, "exts": {".go": ["main.go"]}, "dirs": {}, "files": {}}
}

test_pass_manifests_at_any_depth if {
	i := {"names": {"job.yaml": ["cron/k8s/job.yaml"]}, "exts": {".yaml": ["cron/k8s/job.yaml"]}, "dirs": {"cron": true, "cron/k8s": true}, "dir_names": {"k8s": ["cron/k8s"]}, "files": {}}
	pass_message == "infrastructure as code: Kubernetes manifests (cron/k8s/)" with input as i
	j := {"names": {"deployment.yaml": ["services/api/deploy/deployment.yaml"]}, "exts": {}, "dirs": {}, "files": {}}
	pass_message == "infrastructure as code: Kubernetes manifests (services/api/deploy/deployment.yaml)" with input as j
}

test_fail_code_package_named_like_a_manifest_dir if {
	count(deny) == 1 with input as {"names": {}, "exts": {".go": ["pkg/k8s/client.go"]}, "dirs": {"pkg": true, "pkg/k8s": true}, "dir_names": {"k8s": ["pkg/k8s"]}, "files": {}}
}

# Examples, tests, fixtures and vendored code are not the component's infrastructure.
test_fail_evidence_only_in_non_evidence_trees if {
	every case in [
		{"names": {"main.tf": ["examples/basic/main.tf"]}, "exts": {".tf": ["examples/basic/main.tf"]}, "dirs": {}, "files": {}},
		{"names": {"Chart.yaml": ["testdata/chart/Chart.yaml"]}, "exts": {}, "dirs": {}, "files": {}},
		{"names": {"docker-compose.yml": ["vendor/x/docker-compose.yml"], "kustomization.yaml": ["vendor/x/kustomization.yaml"]}, "exts": {}, "dirs": {}, "files": {}},
		{"names": {}, "exts": {".yaml": ["test/e2e/k8s/pod.yaml"]}, "dirs": {"test": true, "test/e2e": true, "test/e2e/k8s": true}, "dir_names": {"k8s": ["test/e2e/k8s"]}, "files": {}},
		{"names": {"deployment.yaml": ["node_modules/x/deploy/deployment.yaml"]}, "exts": {}, "dirs": {}, "files": {}},
	] {
		count(deny) == 1 with input as case
	}
}

test_pass_terraform_module_with_examples if {
	i := {"names": {"main.tf": ["examples/basic/main.tf", "main.tf"]}, "exts": {".tf": ["examples/basic/main.tf", "main.tf"]}, "dirs": {"examples": true, "examples/basic": true}, "files": {}}
	pass_message == "infrastructure as code: Terraform (main.tf)" with input as i
}
