// Package adsclient is the Envoy-like ADS client (xDS v3, state of the world) that cmd/ads-judge
// and cmd/proxy-standin share: one stream multiplexed across go-control-plane's per-type
// sotw.ADSClients, CDS and LDS wildcard subscriptions, EDS for the EDS clusters accepted, and each
// response judged, then ACKed or NACKed. What the caller reports, and how it judges, are Hooks;
// dialling, reconnecting and backoff stay with the caller.
package adsclient

import (
	"context"
	"sync"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	sotw "github.com/envoyproxy/go-control-plane/pkg/client/sotw/v3"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/anypb"
)

// Response is one DiscoveryResponse as a subscription received it.
type Response struct {
	Kind      string // lds, cds, eds
	TypeURL   string
	Raw       *discoveryv3.DiscoveryResponse
	Bytes     int
	Resources []*anypb.Any
}

// Hooks is what the client's user decides and reports. Calls for one type come from one goroutine;
// calls for different types may be concurrent.
type Hooks interface {
	// Sent: a DiscoveryRequest as it went on the wire. kind is "request" (a stream's first for a
	// type, or an EDS subscription change), "ack" or "nack".
	Sent(kind, short string, req *discoveryv3.DiscoveryRequest)
	// Judge returns the problems that make r a NACK (none: ACK), joined into error_detail.
	Judge(r Response) []string
	// Answered: the ACK (nack == "") or NACK of r went out.
	Answered(r Response, nack string)
	// Warn: a protocol oddity the client corrected or ignored.
	Warn(msg string)
}

// Client holds the per-type subscription state; it outlives streams, as Envoy's does.
type Client struct {
	node  *corev3.Node
	hooks Hooks
	lds   *subscriber
	cds   *subscriber
	eds   *subscriber

	sessionMu sync.Mutex
	wg        *sync.WaitGroup // the running session's subscriber loops
}

// New makes a client for node; ctx bounds every stream it will open.
func New(ctx context.Context, node *corev3.Node, hooks Hooks) *Client {
	c := &Client{node: node, hooks: hooks}
	sub := func(short, typeURL string) *subscriber {
		return &subscriber{short: short, typeURL: typeURL, client: sotw.NewADSClient(ctx, node, typeURL)}
	}
	c.lds = sub("lds", ListenerType)
	c.cds = sub("cds", ClusterType)
	c.eds = sub("eds", EndpointType)
	return c
}

// Session runs one ADS stream on conn until it fails or ctx ends. connected is called once the
// stream is open; the result tells whether it was, and why the stream ended.
func (c *Client) Session(ctx context.Context, conn grpc.ClientConnInterface, connected func()) (bool, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The raw generated stub opens the one real stream; the ADSClients speak through it (stream.go).
	raw, err := discoveryv3.NewAggregatedDiscoveryServiceClient(conn).StreamAggregatedResources(ctx)
	if err != nil {
		return false, err
	}
	connected()
	stream := newADSStream(ctx, raw, c.hooks)
	go stream.demux()

	wg := &sync.WaitGroup{}
	c.sessionMu.Lock()
	c.wg = wg
	c.sessionMu.Unlock()
	// Envoy's order: clusters first, then listeners; endpoints once clusters name them. After a
	// reconnect the EDS subscription known from the last accepted CDS is re-sent right away.
	c.start(c.cds, stream)
	c.start(c.lds, stream)
	if c.eds.hasNames() {
		c.start(c.eds, stream)
	}
	<-stream.done
	cancel()
	wg.Wait()
	return true, stream.err
}

// start sends the type's first request on stream (ADSClient.InitConnect: version_info of the last
// accepted response, as Envoy re-sends after a reconnect) and judges its responses from then on.
// False when the type was already started on this stream.
func (c *Client) start(s *subscriber, stream *adsStream) bool {
	if !s.claim(stream) {
		return false
	}
	c.sessionMu.Lock()
	wg := c.wg
	wg.Add(1)
	c.sessionMu.Unlock()
	if err := s.client.InitConnect(&typeConn{s: stream, sub: s}); err != nil {
		wg.Done()
		return true // the stream is failing; the session reports it
	}
	go func() {
		defer wg.Done()
		s.loop(c, stream)
	}()
	return true
}

// clustersAccepted updates the EDS subscription after a CDS update was ACKed: the service names of
// its EDS clusters, as the first EDS request on this stream or as a changed resource_names.
func (c *Client) clustersAccepted(resources []*anypb.Any, stream *adsStream) {
	names := EDSServiceNames(resources)
	if len(names) == 0 {
		// An empty resource_names list would mean "all" (wildcard) in SotW; no EDS cluster
		// left means nothing to ask for, so the old subscription simply stays unused.
		return
	}
	if !c.eds.setNames(names) {
		return
	}
	if !c.start(c.eds, stream) {
		c.eds.resubscribe(c.node, stream)
	}
}
