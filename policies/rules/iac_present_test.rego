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
	i := {"names": {}, "exts": {".yaml": ["a.yaml", "k8s/app.yaml"]}, "dirs": {"k8s": true}, "files": {}}
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
	d == {{"message": "no infrastructure as code: no Terraform/OpenTofu, Pulumi, CDK, CloudFormation/SAM, Bicep, Helm, Kustomize, Crossplane, or Kubernetes manifests in k8s/, kubernetes/, manifests/ or deploy/", "files": []}}
}

test_fail_nothing if {
	count(deny) == 1 with input as {"names": {"main.go": ["main.go"]}, "exts": {".go": ["main.go"]}, "dirs": {}, "files": {}}
}
