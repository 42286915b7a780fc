package store

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/goldenpath/goldenpath/policies"
)

// A repository's listing is stored with its evaluation so that a change of rules
// or configuration re-evaluates it without listing its tree again. Listings of
// large repositories reach 100,000 paths, so the encoding is compact: paths sorted
// and front-coded (the length shared with the previous path, then the rest), blob
// SHAs as raw bytes (they do not compress), sizes as varints, the whole deflated:
// a 50,000-path tree takes 1.2 MB this way against 5.9 MB as JSON.
const listingFormat = 1

// maxListingEntries refuses to decode more entries than GitHub can list.
const maxListingEntries = 1 << 20

// flateWriters are reused: a deflate writer holds about 1 MB of tables, which a
// sweep of 10,000 repositories would otherwise allocate 10,000 times.
var flateWriters = sync.Pool{New: func() any {
	zw, _ := flate.NewWriter(nil, flate.BestSpeed) // fails only on an invalid level
	return zw
}}

// encodeListing encodes a listing sorted by path (as snapshots list it).
func encodeListing(entries []policies.Entry) ([]byte, error) {
	var buf bytes.Buffer
	zw := flateWriters.Get().(*flate.Writer)
	defer flateWriters.Put(zw)
	zw.Reset(&buf)
	w := bufio.NewWriter(zw)
	var num [binary.MaxVarintLen64]byte
	uvarint := func(v uint64) { w.Write(num[:binary.PutUvarint(num[:], v)]) }
	uvarint(listingFormat)
	uvarint(uint64(len(entries)))
	prev := ""
	for _, e := range entries {
		if e.Path < prev {
			return nil, fmt.Errorf("encode listing: %q is out of order after %q", e.Path, prev)
		}
		sha, err := hex.DecodeString(e.SHA)
		if err != nil {
			return nil, fmt.Errorf("encode listing: %s: blob SHA %q is not hex", e.Path, e.SHA)
		}
		shared := commonPrefix(prev, e.Path)
		uvarint(uint64(shared))
		uvarint(uint64(len(e.Path) - shared))
		w.WriteString(e.Path[shared:])
		uvarint(uint64(len(sha)))
		w.Write(sha)
		uvarint(uint64(max(e.Size, 0)))
		prev = e.Path
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeListing reverses encodeListing; stored bytes are checked, never trusted.
func decodeListing(data []byte) ([]policies.Entry, error) {
	r := bufio.NewReader(flate.NewReader(bytes.NewReader(data)))
	fail := func(err error) ([]policies.Entry, error) {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("decode stored listing: %w", err)
	}
	format, err := binary.ReadUvarint(r)
	if err != nil {
		return fail(err)
	}
	if format != listingFormat {
		return fail(fmt.Errorf("unknown format %d", format))
	}
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return fail(err)
	}
	if n > maxListingEntries {
		return fail(fmt.Errorf("%d entries, more than %d", n, maxListingEntries))
	}
	entries := make([]policies.Entry, 0, n)
	prev := ""
	var sha [64]byte
	for range n {
		var f [2]uint64
		for i := range f {
			if f[i], err = binary.ReadUvarint(r); err != nil {
				return fail(err)
			}
		}
		shared, rest := f[0], f[1]
		if shared > uint64(len(prev)) || rest > 4096 {
			return fail(fmt.Errorf("corrupt path lengths %d+%d", shared, rest))
		}
		var b strings.Builder
		b.Grow(int(shared + rest))
		b.WriteString(prev[:shared])
		if _, err := io.CopyN(&b, r, int64(rest)); err != nil {
			return fail(err)
		}
		shaLen, err := binary.ReadUvarint(r)
		if err != nil {
			return fail(err)
		}
		if shaLen > uint64(len(sha)) {
			return fail(fmt.Errorf("corrupt SHA length %d", shaLen))
		}
		if _, err := io.ReadFull(r, sha[:shaLen]); err != nil {
			return fail(err)
		}
		size, err := binary.ReadUvarint(r)
		if err != nil {
			return fail(err)
		}
		e := policies.Entry{Path: b.String(), SHA: hex.EncodeToString(sha[:shaLen]), Size: int64(min(size, 1<<62))}
		entries = append(entries, e)
		prev = e.Path
	}
	return entries, nil
}

func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
