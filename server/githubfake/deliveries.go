package githubfake

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Delivery is one webhook delivery as GitHub lists it under /app/hook/deliveries.
type Delivery struct {
	ID             int64
	GUID           string
	Event          string
	Action         string
	InstallationID int64
	RepositoryID   int64
	StatusCode     int
	// Status is GitHub's text: "OK" for a 2xx answer, otherwise a reason.
	Status      string
	Redelivery  bool
	DeliveredAt time.Time
	Duration    time.Duration
	// Payload and RequestHeaders are what was sent (and what a redelivery sends again).
	Payload        []byte
	RequestHeaders http.Header
}

func deliveryStatus(code int) string {
	switch {
	case code >= 200 && code < 300:
		return "OK"
	case code == 0:
		return "We couldn't deliver this payload: failed to connect to host"
	}
	return "Invalid HTTP Response: " + strconv.Itoa(code)
}

// RecordDelivery records a delivery GitHub would report (answered with statusCode)
// and returns its delivery ID.
func (f *Fake) RecordDelivery(guid, event string, statusCode int) int64 {
	return f.AddDelivery(Delivery{GUID: guid, Event: event, StatusCode: statusCode})
}

// AddDelivery records a delivery with every detail; zero ID, Status and
// DeliveredAt are filled in.
func (f *Fake) AddDelivery(d Delivery) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addDelivery(d).ID
}

func (f *Fake) addDelivery(d Delivery) *Delivery {
	if d.ID == 0 {
		d.ID = f.newID()
	}
	if d.Status == "" {
		d.Status = deliveryStatus(d.StatusCode)
	}
	if d.DeliveredAt.IsZero() {
		d.DeliveredAt = time.Now().UTC().Truncate(time.Second)
	}
	if d.RequestHeaders == nil {
		d.RequestHeaders = http.Header{}
	}
	c := d
	f.st.deliveries = append(f.st.deliveries, &c)
	return &c
}

func (f *Fake) findDelivery(id int64) *Delivery {
	for _, d := range f.st.deliveries {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// Deliveries returns copies of the recorded deliveries, oldest first.
func (f *Fake) Deliveries() []Delivery {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Delivery
	for _, d := range f.st.deliveries {
		out = append(out, *d)
	}
	return out
}

// SetWebhookTarget is where redeliveries (POST /app/hook/deliveries/{id}/attempts)
// are sent, in the background; without a target they are recorded as answered 200.
func (f *Fake) SetWebhookTarget(h http.Handler) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st.webhookTarget = h
}

// SignedRequest builds a webhook request as GitHub sends it: JSON body,
// X-GitHub-Event, X-GitHub-Delivery, X-Hub-Signature (sha1) and
// X-Hub-Signature-256 (sha256 HMAC of the body with secret).
func SignedRequest(url, secret, event, deliveryID string, body []byte) *http.Request {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		panic(fmt.Sprintf("githubfake: webhook request to %q: %v", url, err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/5c6b2c0")
	req.Header.Set("Accept", "*/*")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", deliveryID)
	req.Header.Set("X-GitHub-Hook-ID", "404040")
	req.Header.Set("X-Hub-Signature", "sha1="+hmacHex(sha1.New, secret, body))
	req.Header.Set("X-Hub-Signature-256", "sha256="+hmacHex(sha256.New, secret, body))
	return req
}

func hmacHex(h func() hash.Hash, secret string, body []byte) string {
	m := hmac.New(h, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// newDeliveryID makes a delivery GUID like GitHub's (a random UUID).
func newDeliveryID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

func payloadBytes(payload any) []byte {
	switch p := payload.(type) {
	case []byte:
		return p
	case string:
		return []byte(p)
	}
	b, err := json.Marshal(payload)
	if err != nil {
		panic(fmt.Sprintf("githubfake: encode webhook payload: %v", err))
	}
	return b
}

// Webhook builds a signed webhook request for event with a fresh delivery GUID,
// addressed to WebhookURL and signed with WebhookSecret. payload may be a Payload,
// any JSON-encodable value, or raw bytes.
func (f *Fake) Webhook(event string, payload any) *http.Request {
	req := SignedRequest(f.WebhookURL, f.WebhookSecret, event, newDeliveryID(), payloadBytes(payload))
	req.Header.Set("X-GitHub-Hook-Installation-Target-ID", strconv.FormatInt(f.AppID, 10))
	req.Header.Set("X-GitHub-Hook-Installation-Target-Type", "integration")
	return req
}

// redeliverTo sends a signed webhook to h and records the redelivery with the
// answer's status.
func (f *Fake) redeliverTo(h http.Handler, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(body))
	start := time.Now()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	d := Delivery{
		GUID:           req.Header.Get("X-GitHub-Delivery"),
		Event:          req.Header.Get("X-GitHub-Event"),
		StatusCode:     rec.Code,
		Redelivery:     true,
		Duration:       time.Since(start),
		Payload:        body,
		RequestHeaders: req.Header.Clone(),
	}
	var meta struct {
		Action       string `json:"action"`
		Installation struct {
			ID int64 `json:"id"`
		} `json:"installation"`
		Repository struct {
			ID int64 `json:"id"`
		} `json:"repository"`
	}
	_ = json.Unmarshal(body, &meta)
	d.Action, d.InstallationID, d.RepositoryID = meta.Action, meta.Installation.ID, meta.Repository.ID
	f.mu.Lock()
	f.addDelivery(d)
	f.mu.Unlock()
}

// --- endpoints ---

func (f *Fake) deliveryItemJSON(d *Delivery) map[string]any {
	return map[string]any{
		"id":              d.ID,
		"guid":            d.GUID,
		"delivered_at":    ts(d.DeliveredAt),
		"redelivery":      d.Redelivery,
		"duration":        d.Duration.Seconds(),
		"status":          d.Status,
		"status_code":     d.StatusCode,
		"event":           d.Event,
		"action":          strOrNil(d.Action),
		"installation_id": int64OrNil(d.InstallationID),
		"repository_id":   int64OrNil(d.RepositoryID),
		"throttled_at":    nil,
	}
}

func int64OrNil(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// listDeliveries pages with GitHub's cursors: newest first, and a rel="next" link
// carrying cursor=v1_<id> while older deliveries remain.
func (f *Fake) listDeliveries(c *call) *response {
	_, perPage := pageParams(c)
	var before int64
	if cursor := c.queryValue("cursor"); cursor != "" {
		n, err := strconv.ParseInt(strings.TrimPrefix(cursor, "v1_"), 10, 64)
		if err != nil || !strings.HasPrefix(cursor, "v1_") {
			return problem(http.StatusBadRequest, "Invalid cursor", c.rt.doc)
		}
		before = n
	}
	all := slices.Clone(f.st.deliveries)
	slices.SortFunc(all, func(a, b *Delivery) int { return cmpInt64(b.ID, a.ID) })
	var matched []*Delivery
	for _, d := range all {
		if before == 0 || d.ID < before {
			matched = append(matched, d)
		}
	}
	page := matched[:min(perPage, len(matched))]
	items := make([]any, 0, len(page))
	for _, d := range page {
		items = append(items, f.deliveryItemJSON(d))
	}
	resp := jsonResponse(http.StatusOK, items)
	if len(matched) > len(page) {
		q := c.r.URL.Query()
		q.Set("cursor", "v1_"+strconv.FormatInt(page[len(page)-1].ID, 10))
		q.Set("per_page", strconv.Itoa(perPage))
		resp.header.Set("Link", fmt.Sprintf(`<%s%s?%s>; rel="next"`, f.srv.URL, c.r.URL.Path, q.Encode()))
	}
	return resp
}

func (f *Fake) redeliver(c *call) *response {
	d := c.delivery
	target := f.st.webhookTarget
	if target == nil {
		again := *d
		again.ID, again.Redelivery, again.StatusCode, again.Status, again.DeliveredAt = 0, true, http.StatusOK, "", time.Time{}
		f.addDelivery(again)
		return jsonResponse(http.StatusAccepted, map[string]any{})
	}
	// GitHub answers 202 at once and delivers later; the target may call the fake,
	// so it runs without the lock.
	req := SignedRequest(f.WebhookURL, f.WebhookSecret, d.Event, d.GUID, slices.Clone(d.Payload))
	for k, v := range d.RequestHeaders {
		if req.Header.Get(k) == "" {
			req.Header[k] = slices.Clone(v)
		}
	}
	f.background.Add(1)
	go func() {
		defer f.background.Done()
		f.redeliverTo(target, req)
	}()
	return jsonResponse(http.StatusAccepted, map[string]any{})
}
