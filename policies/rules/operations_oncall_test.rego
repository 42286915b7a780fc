package goldenpath.rules.operations.oncall

with_annotations(a) := {"catalog": {"files": ["catalog-info.yaml"], "errors": [], "entities": [{
	"path": "catalog-info.yaml", "document": 0, "line": 1,
	"entity": {"kind": "Component", "metadata": {"name": "payments", "annotations": a}},
	"lines": {"metadata": 3, "metadata.annotations": 5, "metadata.annotations.pagerduty.com/service-id": 6},
}]}}

test_pass_pagerduty if {
	i := with_annotations({"pagerduty.com/service-id": "PABC123"})
	count(deny) == 0 with input as i
	pass_message == "on-call: pagerduty.com/service-id: PABC123" with input as i
}

test_pass_opsgenie if {
	count(deny) == 0 with input as with_annotations({"opsgenie.com/team": "payments"})
}

test_fail_no_annotation_names_line if {
	d := deny with input as with_annotations({"github.com/project-slug": "acme/payments"})
	d == {{"message": "catalog-info.yaml:5: no on-call annotation (PagerDuty, Opsgenie or Splunk On-Call) on Component payments", "files": [{"path": "catalog-info.yaml", "line": 5}]}}
}

test_fail_empty_annotation if {
	d := deny with input as with_annotations({"pagerduty.com/service-id": ""})
	{x.message | some x in d} == {"catalog-info.yaml:6: annotation pagerduty.com/service-id is empty"}
}

test_fail_without_catalog_says_so if {
	d := deny with input as {"catalog": {"files": [], "entities": [], "errors": []}}
	d == {{"message": "no catalog-info.yaml, which is where the on-call annotation (pagerduty.com/service-id, opsgenie.com/team, ...) lives", "files": []}}
}
