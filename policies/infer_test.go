package policies

import (
	"strings"
	"testing"
)

// Each case is the shape of a real repository (named), reduced to the paths
// that decide its type.
func TestInferType(t *testing.T) {
	tests := []struct {
		name   string
		paths  string // space-separated
		typ    string // "" when nothing tells
		reason string // a part of the reason
	}{
		{"kubebuilder operator", "PROJECT go.mod config/crd/bases/x.yaml Dockerfile", TypeService, "kubebuilder PROJECT"},
		{"Dockerfile at the top", "Dockerfile go.mod main.go", TypeService, "(Dockerfile)"},
		{"azd application (Azure-Samples)", "azure.yaml src/api/package.json infra/main.tf", TypeService, "(azure.yaml)"},
		{"skaffold (microservices-demo)", "skaffold.yaml src/adservice/Dockerfile kustomize/base/kustomization.yaml", TypeService, "(skaffold.yaml)"},
		{"image built from docker/ (policy-bot)", "go.mod main.go docker/Dockerfile", TypeService, "docker/Dockerfile"},
		{"image built from build/package/ (peerd)", "go.mod cmd/proxy/main.go build/package/Dockerfile build/package/peerd-helm/Chart.yaml", TypeService, "build/package/Dockerfile"},
		{"kustomize beside code", "go.mod config/default/kustomization.yaml", TypeService, "beside its code"},
		{"a dev container is no service", "go.mod .devcontainer/Dockerfile", TypeLibrary, "go.mod"},
		{"an example's image is no service", "package.json examples/app/Dockerfile", TypeLibrary, "package.json"},
		{"a tool's image is no service (argo-helm)", "charts/argo-cd/Chart.yaml scripts/release-analysis/Dockerfile", TypeInfrastructure, "Helm chart repository"},
		{"Helm charts one level down (argocd-example-apps)", "apps/Chart.yaml guestbook/guestbook-ui-svc.yaml", TypeInfrastructure, "Helm charts (apps/Chart.yaml)"},
		{"Terraform module", "main.tf variables.tf examples/simple/main.tf", TypeInfrastructure, "Terraform/OpenTofu module (main.tf)"},
		{"Pulumi project", "Pulumi.yaml Pulumi.dev.yaml", TypeInfrastructure, "infrastructure as code (Pulumi.yaml)"},
		{"CDK app (keycloak-on-ecs)", "cdk.json package.json src/main.ts", TypeInfrastructure, "(cdk.json)"},
		{"CDK examples (aws-cdk-examples)", "typescript/api/cdk.json typescript/api/package.json typescript/api/src/lambda/Dockerfile/x", TypeInfrastructure, "typescript/api/cdk.json"},
		{"IaC templates with images (pulumi/templates)", "package.json container-aws-go/Pulumi.yaml container-aws-go/app/Dockerfile", TypeInfrastructure, "container-aws-go/Pulumi.yaml"},
		{"GitOps repository (flux example)", "clusters/production/flux-system/kustomization.yaml apps/base/podinfo/kustomization.yaml", TypeInfrastructure, "no application code"},
		{"Backstage software templates", "scaffolder-templates/react/template.yaml scaffolder-templates/react/skeleton/package.json scaffolder-templates/react/skeleton/Dockerfile", TypeTemplate, "with a skeleton/"},
		{"cookiecutter", "cookiecutter.json {{cookiecutter.slug}}/Dockerfile", TypeTemplate, "(cookiecutter.json)"},
		{"a template.yaml without a skeleton is no template", "deploy/template.yaml go.mod", TypeService, "deployment manifests in deploy/"},
		{"Docusaurus", "docusaurus.config.js package.json", TypeDocumentation, "docusaurus.config.js"},
		{"Docusaurus previewed in a container (opentofu.org)", "docusaurus.config.ts package.json Dockerfile docker-compose.yml", TypeDocumentation, "docusaurus.config.ts"},
		{".NET solution (Polly)", "Polly.slnx src/Polly/Polly.csproj Directory.Build.props", TypeLibrary, "Polly.slnx"},
		{"templates three levels down (janus-idp)", "templates/github/go-backend/template.yaml templates/github/go-backend/skeleton/go.mod", TypeTemplate, "templates/github/go-backend/template.yaml"},
		{"Next.js", "next.config.js package.json", TypeWebsite, "next.config.js"},
		{"GitHub Pages (octocat.github.io)", "CNAME index.html stylesheets/x.css", TypeWebsite, "static website"},
		{"package.json with an index.html", "package.json index.html", TypeWebsite, "package.json with an index.html"},
		{"Go library", "go.mod x.go", TypeLibrary, "go.mod"},
		{".NET library", "Lib.csproj Class.cs", TypeLibrary, "Lib.csproj"},
		{"MkDocs alone", "mkdocs.yml docs/index.md", TypeDocumentation, "mkdocs.yml"},
		{"nothing", "README.md", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var entries []Entry
			for _, p := range strings.Fields(tt.paths) {
				entries = append(entries, Entry{Path: p})
			}
			typ, reason := inferType(newPathIndex(entries), &Component{Path: RootPath})
			if typ != tt.typ || !strings.Contains(reason, tt.reason) {
				t.Errorf("inferred %q (%s), want %q (…%s…)", typ, reason, tt.typ, tt.reason)
			}
		})
	}
}

// A component below the root is judged by its own directory only.
func TestInferTypeOfASubdirectory(t *testing.T) {
	ix := newPathIndex([]Entry{{Path: "Dockerfile"}, {Path: "libs/util/go.mod"}, {Path: "infra/main.tf"}})
	for dir, want := range map[string]string{"libs/util": TypeLibrary, "infra": TypeInfrastructure, RootPath: TypeService} {
		if typ, reason := inferType(ix, &Component{Path: dir}); typ != want {
			t.Errorf("%s: inferred %q (%s), want %q", dir, typ, reason, want)
		}
	}
}
