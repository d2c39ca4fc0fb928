package main

// The stand-in's log: one JSON object per line on stdout, {"time","level","msg",…fields}, written
// with a single write each so `kubectl logs` never shows half a line. Fields come from a struct, so
// every line of one msg has its keys in one order.

import (
	"bytes"
	"encoding/json"
	"os"
	"sync"
	"time"
)

var logMu sync.Mutex

// logLine writes {"time","level","msg"} followed by the fields of fields (a struct or map; nil: none).
func logLine(level, msg string, fields any) {
	head, _ := json.Marshal(struct {
		Time  string `json:"time"`
		Level string `json:"level"`
		Msg   string `json:"msg"`
	}{time.Now().UTC().Format(time.RFC3339Nano), level, msg})
	line := head
	if fields != nil {
		body, err := marshal(fields)
		if err != nil {
			body, _ = marshal(map[string]string{"log_error": err.Error()})
		}
		if len(body) > 2 { // not "{}": splice the two objects into one
			line = append(append(head[:len(head)-1:len(head)-1], ','), body[1:]...)
		}
	}
	logMu.Lock()
	defer logMu.Unlock()
	_, _ = os.Stdout.Write(append(line, '\n'))
}

func info(msg string, fields any) { logLine("info", msg, fields) }
func warn(msg string, fields any) { logLine("warn", msg, fields) }
func fail(msg string, fields any) { logLine("error", msg, fields) }

// marshal without HTML escaping: the lines carry "<", ">" and "&" in violation paths and matchers.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
