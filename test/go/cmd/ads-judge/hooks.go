package main

// What the judge does with the shared ADS client's hooks: report every request and response as an
// event, NACK what Envoy's schema rejects (and --nack-once), count responses for --max-responses.

import (
	"fmt"
	"os"

	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"

	"meshward.local/envoy-tools/adsclient"
)

func (j *judge) Sent(kind, short string, req *discoveryv3.DiscoveryRequest) {
	ev := requestEvent{Event: kind, Type: short, Version: req.GetVersionInfo(), Nonce: req.GetResponseNonce()}
	if kind == "nack" {
		ev.Message = req.GetErrorDetail().GetMessage()
	}
	if kind == "request" {
		ev.ResourceNames = req.GetResourceNames()
	}
	emit(ev)
}

func (j *judge) Judge(r adsclient.Response) []string {
	results := adsclient.Check(r.TypeURL, r.Resources, adsclient.CheckOptions{Dump: j.opts.dump})
	emit(responseEvent{
		Event:     "response",
		Type:      r.Kind,
		Version:   r.Raw.GetVersionInfo(),
		Nonce:     r.Raw.GetNonce(),
		Resources: results,
		Bytes:     r.Bytes,
	})
	var problems []string
	if j.spendNackOnce(r.Kind) {
		problems = append(problems, "judge: forced NACK")
	}
	for _, res := range results {
		for _, e := range res.Errors {
			problems = append(problems, res.Name+": "+e)
		}
	}
	return problems
}

func (j *judge) Answered(adsclient.Response, string) {
	if max := j.opts.maxResponses; max > 0 && j.responses.Add(1) >= max {
		j.stop("max-responses")
	}
}

func (j *judge) Warn(msg string) {
	fmt.Fprintln(os.Stderr, "ads-judge:", msg)
}

func (j *judge) spendNackOnce(short string) bool {
	j.nackMu.Lock()
	defer j.nackMu.Unlock()
	if j.nackOnce != short {
		return false
	}
	j.nackOnce = ""
	return true
}
