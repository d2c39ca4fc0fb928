// ads-judge is an xDS client that is not meshward's own: it judges an ADS server (v3, state of the
// world) the way Envoy would, and reports everything it sees as JSON lines for the tests.
//
// It dials --server with mutual TLS (client SVID from --cert/--key; the server must chain to --ca
// and carry exactly the URI SAN --server-id), opens one ADS stream, subscribes to LDS and CDS
// (wildcard) and to EDS for every EDS cluster it accepted, decodes each resource into its
// generated type, validates it (protoc-gen-validate rules, including every typed_config: the
// envoycheck package, shared with cmd/envoy-validate) and ACKs or NACKs the response with the
// violations as error_detail. The protocol itself (requests, nonces, ACK/NACK) is
// go-control-plane's sotw.ADSClient, one per type, sharing the stream (package adsclient, shared
// with cmd/proxy-standin); this command adds the flags, the reconnect loop and the report.
//
// Events on stdout, one JSON object per line:
//
//	{"event":"connected","server":"h:p"}
//	{"event":"request","type":"lds|cds|eds","version":"…","nonce":"…","resource_names":[…]}
//	{"event":"response","type":…,"version":…,"nonce":…,"resources":[{"name","ok","errors"[,"json"]}],"bytes":N}
//	{"event":"ack"|"nack","type":…,"version":…,"nonce":…[,"message":…]}   (the request as sent)
//	{"event":"error","code":"PermissionDenied"|…,"message":…,"server":…}
//	{"event":"closed","reason":"stdin|signal|max-responses|stream-error|server-identity"}
//
// Exit status: 0 when stopped (stdin EOF, SIGTERM, --max-responses), 1 after an error it does
// not recover from, 2 on bad usage. Build: in test/go, go build ./cmd/ads-judge (the tests do it
// through scripts/go-tool.ts).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"meshward.local/envoy-tools/adsclient"
)

type options struct {
	servers      []string
	cert, key    string
	ca, serverID string
	nodeID       string
	nodeCluster  string
	nackOnce     string
	dump         bool
	reconnect    bool
	maxResponses int64
}

func parseFlags() (options, error) {
	var o options
	var servers string
	fs := flag.NewFlagSet("ads-judge", flag.ContinueOnError)
	fs.StringVar(&servers, "server", "", "host:port of the ADS server; a comma-separated list is tried in turn")
	fs.StringVar(&o.cert, "cert", "", "client certificate chain (PEM)")
	fs.StringVar(&o.key, "key", "", "client private key (PEM)")
	fs.StringVar(&o.ca, "ca", "", "trust bundle the server certificate must chain to (PEM)")
	fs.StringVar(&o.serverID, "server-id", "", "the server's required SPIFFE ID (its only URI SAN)")
	fs.StringVar(&o.nodeID, "node-id", "", "node.id, e.g. sidecar~shop~web-7d4f")
	fs.StringVar(&o.nodeCluster, "node-cluster", "", "node.cluster (optional)")
	fs.StringVar(&o.nackOnce, "nack-once", "", "lds|cds|eds: NACK the first response of that type even if valid")
	fs.BoolVar(&o.dump, "dump", false, "include each decoded resource as protojson under \"json\"")
	fs.BoolVar(&o.reconnect, "reconnect", false, "after the stream fails, reconnect (next --server, backoff 100ms–1s)")
	fs.Int64Var(&o.maxResponses, "max-responses", 0, "exit after judging this many responses (0: no limit)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return o, err
	}
	for _, s := range strings.Split(servers, ",") {
		if s = strings.TrimSpace(s); s != "" {
			o.servers = append(o.servers, s)
		}
	}
	switch {
	case len(o.servers) == 0:
		return o, errors.New("--server is required")
	case o.cert == "" || o.key == "" || o.ca == "":
		return o, errors.New("--cert, --key and --ca are required")
	case o.serverID == "":
		return o, errors.New("--server-id is required")
	case o.nodeID == "":
		return o, errors.New("--node-id is required")
	case o.nackOnce != "" && o.nackOnce != "lds" && o.nackOnce != "cds" && o.nackOnce != "eds":
		return o, fmt.Errorf("--nack-once %q: want lds, cds or eds", o.nackOnce)
	}
	return o, nil
}

type judge struct {
	opts   options
	creds  credentials.TransportCredentials
	ident  *identityError
	client *adsclient.Client

	ctx        context.Context
	cancel     context.CancelFunc
	reasonOnce sync.Once
	reason     string
	responses  atomic.Int64

	nackMu   sync.Mutex
	nackOnce string // --nack-once, until spent
}

func main() {
	opts, err := parseFlags()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ads-judge:", err)
		os.Exit(2)
	}
	ident := &identityError{}
	creds, err := clientCredentials(opts.cert, opts.key, opts.ca, opts.serverID, ident)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ads-judge:", err)
		os.Exit(2)
	}
	ctx, cancel := context.WithCancel(context.Background())
	j := &judge{opts: opts, creds: creds, ident: ident, ctx: ctx, cancel: cancel, nackOnce: opts.nackOnce}
	node := &corev3.Node{Id: opts.nodeID, Cluster: opts.nodeCluster, UserAgentName: "ads-judge"}
	j.client = adsclient.New(ctx, node, j)

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		j.stop("signal")
	}()
	go func() {
		// The test harness holds stdin open; its end (or the harness dying) stops the judge.
		_, _ = io.Copy(io.Discard, os.Stdin)
		j.stop("stdin")
	}()

	code := j.run()
	emit(closedEvent{Event: "closed", Reason: j.reason})
	os.Exit(code)
}

func (j *judge) stop(reason string) {
	j.reasonOnce.Do(func() { j.reason = reason })
	j.cancel()
}

// run connects, and with --reconnect keeps reconnecting, until stopped; it returns the exit code.
func (j *judge) run() int {
	const minBackoff, maxBackoff = 100 * time.Millisecond, time.Second
	backoff := minBackoff
	for i := 0; ; i++ {
		server := j.opts.servers[i%len(j.opts.servers)]
		j.ident.set(nil)
		connected, err := j.session(server)
		if j.ctx.Err() != nil {
			return 0 // stopped by us: the stream's end is no news
		}
		emit(streamError(err, server))
		if j.ident.get() != nil {
			j.stop("server-identity") // talking to someone else: never retry
			return 1
		}
		if !j.opts.reconnect {
			j.stop("stream-error")
			return 1
		}
		if connected {
			backoff = minBackoff // as Envoy: a stream that was up resets the backoff
		}
		select {
		case <-time.After(backoff):
		case <-j.ctx.Done():
			return 0
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

func streamError(err error, server string) errorEvent {
	if errors.Is(err, io.EOF) {
		return errorEvent{Event: "error", Code: codes.OK.String(), Message: "stream closed by the server", Server: server}
	}
	st := status.Convert(err)
	return errorEvent{Event: "error", Code: st.Code().String(), Message: st.Message(), Server: server}
}

// session runs one ADS stream to server until it fails; connected tells whether it got that far.
func (j *judge) session(server string) (connected bool, err error) {
	conn, err := grpc.NewClient("passthrough:///"+server, grpc.WithTransportCredentials(j.creds))
	if err != nil {
		return false, err
	}
	defer conn.Close()
	return j.client.Session(j.ctx, conn, func() { emit(connectedEvent{Event: "connected", Server: server}) })
}
