package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/goldenpath/goldenpath/server/metrics"
	"github.com/goldenpath/goldenpath/server/webhook/plan"
)

// Handler queues the jobs a delivery asks for, in one transaction with the record
// of the delivery: a delivery is acknowledged only once its work is durable, and a
// redelivery finds its record and queues nothing.
type Handler struct {
	Store      Store
	ConfigRepo string
}

// Store is what the handler needs of the database (*store.Store implements it),
// declared here so that routing links no database and its tests can hand the
// handler a fake.
type Store interface {
	// QueueDelivery records a delivery and, unless it was recorded before
	// (fresh is false), writes what it asks for, in one transaction.
	// inserted[i] is false when its jobs[i] joined an identical queued job.
	QueueDelivery(ctx context.Context, deliveryID, event string, p plan.Delivery) (fresh bool, inserted []bool, err error)
}

// Handles implements githubapp.EventHandler.
func (h *Handler) Handles() []string { return Events }

// Handle implements githubapp.EventHandler.
func (h *Handler) Handle(ctx context.Context, event, delivery string, payload []byte) error {
	if delivery == "" {
		return &PayloadError{Err: errors.New("missing X-GitHub-Delivery header")}
	}
	p, err := route(event, delivery, payload, h.ConfigRepo)
	if err != nil {
		return err
	}
	fresh, inserted, err := h.Store.QueueDelivery(ctx, delivery, event, p)
	if err != nil {
		return err
	}
	log := zerolog.Ctx(ctx)
	if !fresh {
		log.Info().Msg("delivery already seen: nothing queued")
	}
	for i, ok := range inserted {
		log.Info().Str("job", p.Jobs[i].Kind()).Bool("coalesced", !ok).Msg("job queued")
	}
	return nil
}

// Limits bound what webhook requests can hold before they are known to come from
// GitHub.
type Limits struct {
	// MaxBody is the largest delivery accepted (GitHub caps payloads at 25 MB);
	// a larger one is answered 413.
	MaxBody int64
	// Buffered bounds the bytes of all the bodies held at once, while they are read,
	// checked and handled; at least MaxBody. A body that does not fit is answered
	// 503 with Retry-After: GitHub's redelivery (and the app's own redelivery job)
	// sends it again later.
	Buffered int64
}

// retryAfterSeconds is what a 503 for an exhausted body budget asks clients to wait.
const retryAfterSeconds = "5"

// Dispatcher builds the webhook endpoint: bodies bounded in size and, all together,
// in memory; the signature checked first (401), then go-githubapp's dispatcher with
// the synchronous scheduler, so the answer waits for the job insert. A queued
// delivery is answered 202.
func Dispatcher(h *Handler, secret string, limits Limits, m *metrics.Metrics) http.Handler {
	count := func(event string, status int) {
		if m != nil {
			m.Deliveries.WithLabelValues(event, strconv.Itoa(status)).Inc()
		}
	}
	// Only deliveries whose signature was checked reach these callbacks.
	verified := func(r *http.Request, status int) { count(EventLabel(r.Header.Get("X-GitHub-Event")), status) }
	d := githubapp.NewEventDispatcher([]githubapp.EventHandler{h}, secret,
		githubapp.WithErrorCallback(func(w http.ResponseWriter, r *http.Request, err error) {
			status := http.StatusInternalServerError
			var ve githubapp.ValidationError
			var pe *PayloadError
			if errors.As(err, &ve) || errors.As(err, &pe) {
				status = http.StatusBadRequest
			}
			zerolog.Ctx(r.Context()).Warn().Err(err).Int("status", status).Msg("webhook rejected")
			verified(r, status)
			http.Error(w, http.StatusText(status), status)
		}),
		githubapp.WithResponseCallback(func(w http.ResponseWriter, r *http.Request, _ string, _ bool) {
			verified(r, http.StatusAccepted)
			w.WriteHeader(http.StatusAccepted)
		}),
	)
	budget := newBodyBudget(max(limits.Buffered, limits.MaxBody))
	refused := func(status int) { count(unverifiedEvent, status) }
	return http.MaxBytesHandler(signatureFirst(d, secret, budget, limits.MaxBody, refused), limits.MaxBody)
}

// signatureFirst answers 401 to a missing or wrong SHA-256 signature before anything
// parses the payload (go-githubapp would answer 400 to both), 413 to a body over
// the size limit and 503 to one that does not fit the body budget. The body's
// bytes stay reserved until the delivery is answered.
func signatureFirst(next http.Handler, secret string, budget *bodyBudget, maxBytes int64, refused func(int)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, release, err := budget.read(r, maxBytes)
		defer release()
		status := 0
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			status = http.StatusRequestEntityTooLarge
		case errors.Is(err, errBudgetExhausted):
			status = http.StatusServiceUnavailable
			w.Header().Set("Retry-After", retryAfterSeconds)
		case err != nil:
			status = http.StatusBadRequest
		case !validSignature(r.Header.Get(signatureHeader), raw, secret):
			status, err = http.StatusUnauthorized, errors.New("missing or wrong "+signatureHeader)
		}
		if status != 0 {
			zerolog.Ctx(r.Context()).Warn().Err(err).Int("status", status).Msg("webhook refused")
			refused(status)
			http.Error(w, http.StatusText(status), status)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		next.ServeHTTP(w, r)
	})
}

const signatureHeader = "X-Hub-Signature-256"

// validSignature checks GitHub's "sha256=<hex HMAC of the body>" in constant time.
func validSignature(header string, body []byte, secret string) bool {
	got, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	sig, err := hex.DecodeString(got)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hmac.Equal(sig, mac.Sum(nil))
}
