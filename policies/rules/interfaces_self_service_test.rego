package goldenpath.rules.interfaces.self_service

inp(files) := {
	"org": {"building_blocks": ["acme/ci-workflows", "github.com/acme/tf-modules", "app.terraform.io/acme"]},
	"files": {p: {"content": c} | some p, c in files},
	"names": {}, "exts": {},
}

test_pass_each_reference_form if {
	every c in [
		[{".github/workflows/ci.yml": "jobs:\n  build:\n    uses: acme/ci-workflows/.github/workflows/go.yml@v3\n"}, "acme/ci-workflows (.github/workflows/ci.yml)"],
		[{".github/workflows/ci.yaml": "steps:\n  - uses: 'Acme/CI-Workflows/setup@v1'\n"}, "acme/ci-workflows (.github/workflows/ci.yaml)"],
		[{"main.tf": "module \"db\" {\n  source = \"git::https://github.com/acme/tf-modules.git//postgres?ref=v2\"\n}\n"}, "github.com/acme/tf-modules (main.tf)"],
		[{"infra/main.tf": "module \"db\" {\n  source = \"git@github.com:acme/tf-modules//pg\"\n}\n"}, "github.com/acme/tf-modules (infra/main.tf)"],
		[{"main.tf": "module \"vpc\" {\n  source  = \"app.terraform.io/acme/vpc/aws\"\n}\n"}, "app.terraform.io/acme (main.tf)"],
	] {
		count(deny) == 0 with input as inp(c[0])
		pass_message == sprintf("uses the organisation's building blocks: %s", [c[1]]) with input as inp(c[0])
	}
}

test_fail_public_or_lookalike_references if {
	i := inp({
		".github/workflows/ci.yml": "steps:\n  - uses: actions/checkout@v4\n  - uses: acme/ci-workflows-old/x@v1\n",
		"main.tf": "module \"vpc\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n",
		"examples/main.tf": "module \"x\" {\n  source = \"github.com/acme/tf-modules//x\"\n}\n",
	})
	{d.message | some d in deny} == {"uses none of the organisation's building blocks (acme/ci-workflows, github.com/acme/tf-modules, app.terraform.io/acme) in its workflows or Terraform modules"} with input as i
}

test_terraform_anywhere_outside_examples_counts if {
	count(deny) == 0 with input as inp({"svc/a/infra/main.tf": "module \"x\" {\n  source = \"github.com/acme/tf-modules//x\"\n}\n"})
	count(deny) == 1 with input as inp({"svc/a/examples/main.tf": "module \"x\" {\n  source = \"github.com/acme/tf-modules//x\"\n}\n"})
}

test_skip_without_building_blocks if {
	skip == "the organisation's golden-path.yaml names no building_blocks (its reusable workflows and infrastructure modules)" with input as {"files": {}}
	count(deny) == 0 with input as {"org": {"building_blocks": []}, "files": {}}
}
