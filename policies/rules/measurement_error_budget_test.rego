package goldenpath.rules.measurement.error_budget

sloth(alerting) := sprintf("version: prometheus/v1\nservice: api\nslos:\n  - name: a\n    objective: 99.9\n%s", [alerting])

test_pass_sloth_with_alerts if {
	i := {"files": {"slos/api.yaml": {"content": sloth("    alerting:\n      page_alert:\n        labels: {severity: page}\n")}}}
	pass_message == "error-budget alerts: slos/api.yaml:7 (Sloth alerting)" with input as i
}

test_pass_pyrra_and_burn_rate_rules if {
	count(deny) == 0 with input as {"files": {"deploy/slo-api.yaml": {"content": "apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\n"}}}
	count(deny) == 0 with input as {"files": {"monitoring/burn-rate.yaml": {"content": "groups:\n- rules:\n  - alert: ErrorBudgetBurn\n    expr: slo:sli_error:ratio_rate5m > 14.4 * 0.001\n"}}}
}

test_fail_slo_without_alerting if {
	count(deny) == 1 with input as {"files": {"slos/api.yaml": {"content": sloth("")}}}
}

test_fail_alerts_only_in_test_trees if {
	count(deny) == 1 with input as {"files": {"test/slo.yaml": {"content": sloth("    alerting:\n      page_alert: {}\n")}}}
}
