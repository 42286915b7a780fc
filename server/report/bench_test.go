package report

import "testing"

// BenchmarkBuild is an organisation of 100,000 repositories × 20 rules (target: well
// under 2 s per Build). go test ./server/report -run '^$' -bench Build -benchmem
func BenchmarkBuild(b *testing.B) {
	repos := largeRepos(100_000)
	cfg, history := basicOrg(), basicHistory()
	b.ResetTimer()
	for b.Loop() {
		Build("acme", repos, cfg, history, now)
	}
}

// BenchmarkMarkdown renders that organisation's report, cut to the default limit.
func BenchmarkMarkdown(b *testing.B) {
	r := Build("acme", largeRepos(100_000), basicOrg(), basicHistory(), now)
	b.ResetTimer()
	for b.Loop() {
		Markdown(r, MarkdownOptions{})
	}
}
