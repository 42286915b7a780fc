package goldenpath.rules.measurement.slo

files(fs) := {"files": fs}

openslo := `# availability
apiVersion: openslo/v1
kind: SLO
metadata:
  name: x
`

test_pass_openslo if {
	i := files({"slos/availability.yaml": {"content": openslo}})
	count(deny) == 0 with input as i
	pass_message == "SLOs as code: slos/availability.yaml:2 (OpenSLO)" with input as i
}

test_pass_openslo_in_multi_document_file if {
	text := "apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: s\n---\napiVersion: openslo/v1alpha\nkind: SLO\n"
	count(deny) == 0 with input as files({"deploy/payments-slo.yml": {"content": text}})
}

test_pass_sloth_plain_and_crd if {
	plain := "version: \"prometheus/v1\"\nservice: payments\nslos:\n  - name: availability\n"
	crd := "apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\n"
	i := files({"sloth-slos.yaml": {"content": plain}, "k8s/slo.yaml": {"content": crd}})
	pass_message == "SLOs as code: k8s/slo.yaml:1 (Sloth), sloth-slos.yaml:1 (Sloth)" with input as i
}

test_fail_openslo_service_only if {
	text := "apiVersion: openslo/v1\nkind: Service\n---\nkind: SLO\n"
	d := deny with input as files({"slos/service.yaml": {"content": text}})
	d == {{
		"message": "no SLO definitions: 1 candidate file(s) (slos/service.yaml) hold no OpenSLO (apiVersion openslo/v1, kind SLO) or Sloth document",
		"files": [{"path": "slos/service.yaml", "line": 1}],
	}}
}

test_fail_unrelated_reads_are_ignored if {
	d := deny with input as files({"README.md": {"content": openslo}, "slow-tests.yaml": {"content": "a: 1"}})
	{x.message | some x in d} == {"no SLO definitions: 1 candidate file(s) (slow-tests.yaml) hold no OpenSLO (apiVersion openslo/v1, kind SLO) or Sloth document"}
}

test_fail_nothing if {
	d := deny with input as files({})
	d == {{"message": "no SLO definitions: no OpenSLO or Sloth YAML (files named *slo*.yaml or under slos/)", "files": []}}
}

test_fail_unread_candidates if {
	d := deny with input as files({"slos/a.yaml": {"skipped": "limit"}})
	{x.message | some x in d} == {"no SLO definitions found: 1 candidate file(s) (slos/a.yaml) could not be read"}
}

test_fail_slos_only_in_test_trees if {
	i := {"names": {}, "files": {"test/integration/bad-slo.yaml": {"content": "version: prometheus/v1\nservice: x\nslos:\n  - name: a\n"}}, "catalog": null}
	count(deny) == 1 with input as i
}
