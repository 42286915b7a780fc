package goldenpath.rules.measurement.observability

base := {"names": {}, "dirs": {}, "catalog": null}

catalog(metadata) := {"files": ["catalog-info.yaml"], "errors": [], "entities": [{
	"path": "catalog-info.yaml", "line": 1, "lines": {},
	"entity": {"kind": "Component", "metadata": metadata},
}]}

test_pass_grafana_annotation if {
	i := object.union(base, {"catalog": catalog({"name": "x", "annotations": {"grafana/dashboard-selector": "tags @> 'x'"}})})
	count(deny) == 0 with input as i
	pass_message == "observability: annotation grafana/dashboard-selector" with input as i
}

test_pass_dashboard_link if {
	i := object.union(base, {"catalog": catalog({"name": "x", "links": [{"url": "https://g/d/1", "type": "Dashboard"}]})})
	pass_message == "observability: dashboard link https://g/d/1" with input as i
}

test_pass_monitoring_dir_and_servicemonitor if {
	i := object.union(base, {"dirs": {"monitoring": true}, "dir_names": {"monitoring": ["monitoring"]}, "names": {"servicemonitor.yaml": ["chart/templates/servicemonitor.yaml"]}})
	pass_message == "observability: chart/templates/servicemonitor.yaml, monitoring/" with input as i
}

test_fail_empty_annotation_and_unrelated_link if {
	i := object.union(base, {"catalog": catalog({"name": "x", "annotations": {"grafana/dashboard-selector": ""}, "links": [{"url": "https://docs", "type": "docs"}]})})
	count(deny) == 1 with input as i
}

test_fail_nothing if {
	d := deny with input as object.union(base, {"names": {"main.go": ["main.go"]}})
	d == {{"message": "no observability: no metrics or dashboard annotation in the catalog (grafana/dashboard-selector, prometheus.io/rule, datadoghq.com/dashboard-url, ...), no dashboard link, no dashboards/, monitoring/ or alerts/ directory, and no ServiceMonitor or alerting rules", "files": []}}
}

test_dashboards_at_any_depth_outside_test_trees if {
	count(deny) == 0 with input as {"names": {}, "dir_names": {"dashboards": ["services/api/dashboards"]}, "catalog": null}
	count(deny) == 1 with input as {"names": {"alerts.yaml": ["test/fixtures/alerts.yaml"]}, "dir_names": {"grafana": ["examples/grafana"]}, "catalog": null}
}

test_grafana_dashboards_directory if {
	count(deny) == 0 with input as {"names": {}, "dir_names": {"grafana-dashboards": ["grafana-dashboards"]}, "catalog": null}
}
