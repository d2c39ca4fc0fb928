package main

// Envoy's command line, as templates/meshward-proxy.yaml passes it. Only these flags are accepted
// (Envoy's spellings: "--flag value" or "--flag=value", and Envoy's short -c and -l); anything else
// is an error naming the flag, so a template change the stand-in does not know about fails loudly
// instead of being ignored.

import (
	"fmt"
	"strconv"
	"strings"
)

type options struct {
	ConfigPath        string `json:"config_path"`
	ServiceNode       string `json:"service_node"`
	ServiceCluster    string `json:"service_cluster"`
	LogLevel          string `json:"log_level"`
	Concurrency       int    `json:"concurrency"`
	DisableHotRestart bool   `json:"disable_hot_restart"`
	DrainTimeS        int    `json:"drain_time_s"`
	DrainStrategy     string `json:"drain_strategy"`
}

var logLevels = []string{"trace", "debug", "info", "warning", "warn", "error", "critical", "off"}

func parseFlags(args []string) (options, error) {
	o := options{LogLevel: "info", DrainTimeS: 600, DrainStrategy: "gradual"}
	str := func(dst *string) func(string) error { return func(v string) error { *dst = v; return nil } }
	num := func(dst *int) func(string) error {
		return func(v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("want a whole number ≥ 0, got %q", v)
			}
			*dst = n
			return nil
		}
	}
	oneOf := func(dst *string, allowed ...string) func(string) error {
		return func(v string) error {
			for _, a := range allowed {
				if v == a {
					*dst = v
					return nil
				}
			}
			return fmt.Errorf("want one of %s, got %q", strings.Join(allowed, ", "), v)
		}
	}
	valued := map[string]func(string) error{
		"--config-path":     str(&o.ConfigPath),
		"--service-node":    str(&o.ServiceNode),
		"--service-cluster": str(&o.ServiceCluster),
		"--log-level":       oneOf(&o.LogLevel, logLevels...),
		"--concurrency":     num(&o.Concurrency),
		"--drain-time-s":    num(&o.DrainTimeS),
		"--drain-strategy":  oneOf(&o.DrainStrategy, "gradual", "immediate"),
	}
	valued["-c"], valued["-l"] = valued["--config-path"], valued["--log-level"]
	for i := 0; i < len(args); i++ {
		name, value, inline := strings.Cut(args[i], "=")
		if name == "--disable-hot-restart" && !inline {
			o.DisableHotRestart = true
			continue
		}
		set, ok := valued[name]
		if !ok {
			if strings.HasPrefix(args[i], "-") {
				return o, fmt.Errorf("unknown flag %q (the stand-in accepts only --config-path/-c, --service-node, "+
					"--service-cluster, --log-level/-l, --concurrency, --disable-hot-restart, --drain-time-s, --drain-strategy)", name)
			}
			return o, fmt.Errorf("unexpected argument %q (Envoy takes no positional arguments)", args[i])
		}
		if !inline {
			if i+1 >= len(args) {
				return o, fmt.Errorf("flag %s needs a value", name)
			}
			i++
			value = args[i]
		}
		if err := set(value); err != nil {
			return o, fmt.Errorf("flag %s: %w", name, err)
		}
	}
	switch {
	case o.ConfigPath == "":
		return o, fmt.Errorf("--config-path is required")
	case o.ServiceNode == "":
		return o, fmt.Errorf("--service-node is required (the xDS node id, sidecar~<namespace>~<pod>)")
	case strings.Contains(o.ServiceNode+o.ServiceCluster, "$("):
		return o, fmt.Errorf("--service-node %q / --service-cluster %q still hold a $(VAR) the kubelet did not expand", o.ServiceNode, o.ServiceCluster)
	}
	return o, nil
}
