package main

// The judge's report: one JSON object per line on stdout. Each event is written with a single
// write, so a reader never sees half an event (os.Stdout is unbuffered: every line is flushed at once).

import (
	"encoding/json"
	"os"
	"sync"

	"meshward.local/envoy-tools/adsclient"
)

type connectedEvent struct {
	Event  string `json:"event"`
	Server string `json:"server"`
}

type responseEvent struct {
	Event     string                     `json:"event"`
	Type      string                     `json:"type"`
	Version   string                     `json:"version"`
	Nonce     string                     `json:"nonce"`
	Resources []adsclient.ResourceResult `json:"resources"`
	Bytes     int                        `json:"bytes"`
}

// requestEvent reports a DiscoveryRequest as it went on the wire: "ack", "nack" (with the
// error_detail message), or "request" (a stream's first request for a type, or an EDS
// subscription change).
type requestEvent struct {
	Event         string   `json:"event"`
	Type          string   `json:"type"`
	Version       string   `json:"version"`
	Nonce         string   `json:"nonce"`
	Message       string   `json:"message,omitempty"`
	ResourceNames []string `json:"resource_names,omitempty"`
}

type errorEvent struct {
	Event   string `json:"event"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Server  string `json:"server,omitempty"`
}

type closedEvent struct {
	Event  string `json:"event"`
	Reason string `json:"reason"`
}

var emitMu sync.Mutex

func emit(v any) {
	line, err := json.Marshal(v)
	if err != nil {
		line, _ = json.Marshal(errorEvent{Event: "error", Code: "Internal", Message: "judge: " + err.Error()})
	}
	emitMu.Lock()
	defer emitMu.Unlock()
	_, _ = os.Stdout.Write(append(line, '\n'))
}
