package smtpinbox

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Message is one stored message: its file and the headers a list shows.
type Message struct {
	// ID is the file's name without ".eml"; Get takes it.
	ID   string
	Path string
	From string
	To   string
	// Subject is decoded from its MIME encoded-word form.
	Subject   string
	Date      time.Time
	MessageID string
	Size      int64
}

// ErrNotFound means no stored message has the ID given to Get.
var ErrNotFound = errors.New("message not found")

// List returns the messages stored in dir, oldest first. A missing dir is an empty inbox.
func List(dir string) ([]Message, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list mail in %s: %w", dir, err)
	}
	var out []Message
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".eml") || strings.HasPrefix(name, ".") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("list mail: read %s: %w", name, err)
		}
		m, err := header(raw)
		if err != nil {
			return nil, fmt.Errorf("list mail: parse %s: %w", name, err)
		}
		m.ID, m.Path, m.Size = strings.TrimSuffix(name, ".eml"), filepath.Join(dir, name), int64(len(raw))
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Get returns the message with the given ID (a file name with or without ".eml") and its raw
// bytes.
func Get(dir, id string) (Message, []byte, error) {
	id = strings.TrimSuffix(id, ".eml")
	if id == "" || strings.ContainsAny(id, `/\`) || strings.HasPrefix(id, ".") {
		return Message{}, nil, fmt.Errorf("get mail %q: not a message ID", id)
	}
	path := filepath.Join(dir, id+".eml")
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Message{}, nil, fmt.Errorf("get mail %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Message{}, nil, fmt.Errorf("get mail %q: %w", id, err)
	}
	m, err := header(raw)
	if err != nil {
		return Message{}, nil, fmt.Errorf("get mail %q: %w", id, err)
	}
	m.ID, m.Path, m.Size = id, path, int64(len(raw))
	return m, raw, nil
}

var wordDecoder = new(mime.WordDecoder)

func header(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, fmt.Errorf("read headers: %w", err)
	}
	h := msg.Header
	subj, err := wordDecoder.DecodeHeader(h.Get("Subject"))
	if err != nil {
		subj = h.Get("Subject")
	}
	m := Message{From: h.Get("From"), To: h.Get("To"), Subject: subj, MessageID: h.Get("Message-Id")}
	if d, err := h.Date(); err == nil {
		m.Date = d
	}
	return m, nil
}

// Parts are the decoded bodies of a message.
type Parts struct {
	Text string
	HTML string
	// Inline maps each inline part's Content-ID (without angle brackets) to its bytes.
	Inline map[string][]byte
}

// ParseParts decodes a raw message's text and HTML bodies and its inline parts, walking
// nested multiparts and undoing quoted-printable and base64.
func ParseParts(raw []byte) (Parts, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Parts{}, fmt.Errorf("parse message: %w", err)
	}
	p := Parts{Inline: map[string][]byte{}}
	if err := walk(&p, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Header.Get("Content-Id"), msg.Body, 0); err != nil {
		return Parts{}, fmt.Errorf("parse message: %w", err)
	}
	return p, nil
}

func walk(p *Parts, ctype, cte, cid string, body io.Reader, depth int) error {
	if depth > 10 {
		return errors.New("multipart nested too deeply")
	}
	if ctype == "" {
		ctype = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return fmt.Errorf("content type %q: %w", ctype, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read part: %w", err)
			}
			if err := walk(p, part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part.Header.Get("Content-Id"), part, depth+1); err != nil {
				return err
			}
		}
	}
	var r io.Reader = body
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body) // the decoder skips line breaks
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("decode %s part: %w", mt, err)
	}
	switch {
	case cid != "":
		p.Inline[strings.Trim(cid, "<>")] = data
	case mt == "text/plain" && p.Text == "":
		p.Text = string(data)
	case mt == "text/html" && p.HTML == "":
		p.HTML = string(data)
	}
	return nil
}
