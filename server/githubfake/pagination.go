package githubfake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

const (
	defaultPerPage = 30
	maxPerPage     = 100
)

// pageParams reads page and per_page as GitHub does: per_page defaults to 30 and is
// capped at 100, page starts at 1, and values that are not numbers are ignored.
func pageParams(c *call) (page, perPage int) {
	page, perPage = 1, defaultPerPage
	if v, err := strconv.Atoi(c.queryValue("per_page")); err == nil && v > 0 {
		perPage = min(v, maxPerPage)
	}
	if v, err := strconv.Atoi(c.queryValue("page")); err == nil && v > 0 {
		page = v
	}
	return page, perPage
}

// paginate answers one page of items with GitHub's Link header; wrap shapes the
// body (a bare array, or an object such as {"total_count", "repositories"}).
func paginate(c *call, items []any, wrap func(page []any) any) *response {
	page, perPage := pageParams(c)
	total := len(items)
	start := min((page-1)*perPage, total)
	end := min(start+perPage, total)
	resp := jsonResponse(http.StatusOK, wrap(nonNil(items[start:end])))
	if link := c.f.linkHeader(c, page, perPage, total); link != "" {
		resp.header.Set("Link", link)
	}
	return resp
}

// linkHeader builds rel="prev", "next", "last" and "first" links in GitHub's order.
func (f *Fake) linkHeader(c *call, page, perPage, total int) string {
	last := max(1, (total+perPage-1)/perPage)
	at := func(p int) string {
		q := c.r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		return fmt.Sprintf("<%s%s?%s>", f.srv.URL, c.r.URL.Path, q.Encode())
	}
	var links []string
	if page > 1 {
		links = append(links, at(min(page-1, last))+`; rel="prev"`)
	}
	if page < last {
		links = append(links, at(page+1)+`; rel="next"`, at(last)+`; rel="last"`)
	}
	if page > 1 {
		links = append(links, at(1)+`; rel="first"`)
	}
	return strings.Join(links, ", ")
}

// bodyETag is a weak validator derived from the body, like GitHub's W/"…" ETags.
func bodyETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `W/"` + hex.EncodeToString(sum[:]) + `"`
}

// etagMatches applies If-None-Match's weak comparison.
func etagMatches(ifNoneMatch, etag string) bool {
	if ifNoneMatch == "" {
		return false
	}
	want := strings.TrimPrefix(etag, "W/")
	for _, candidate := range strings.Split(ifNoneMatch, ",") {
		candidate = strings.TrimSpace(candidate)
		if candidate == "*" || strings.TrimPrefix(candidate, "W/") == want {
			return true
		}
	}
	return false
}
