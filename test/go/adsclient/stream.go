package adsclient

// One ADS stream shared by the per-type clients.
//
// go-control-plane's sotw.ADSClient speaks for one type URL and opens its own stream in
// InitConnect (through the grpc.ClientConnInterface it is given). Envoy multiplexes every type
// over one ADS stream, so the client gives each ADSClient a typeConn whose "stream" is a view of
// one shared adsStream: requests go out on the real stream, responses are routed by type URL.
// This is also where the client adds what the package has no API for (see stamp).

import (
	"context"
	"sync"

	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// adsStream is one real ADS stream (the generated stub) shared by the per-type clients.
type adsStream struct {
	ctx    context.Context
	raw    discoveryv3.AggregatedDiscoveryService_StreamAggregatedResourcesClient
	hooks  Hooks
	sendMu sync.Mutex

	mu    sync.Mutex
	inbox map[string]chan received
	done  chan struct{}
	err   error // why the stream ended; set before done is closed
}

type received struct {
	resp  *discoveryv3.DiscoveryResponse
	bytes int
}

func newADSStream(ctx context.Context, raw discoveryv3.AggregatedDiscoveryService_StreamAggregatedResourcesClient, hooks Hooks) *adsStream {
	return &adsStream{ctx: ctx, raw: raw, hooks: hooks, inbox: map[string]chan received{}, done: make(chan struct{})}
}

func (s *adsStream) inboxFor(typeURL string) chan received {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.inbox[typeURL]
	if !ok {
		// Buffered so one type's slow consumer rarely holds up the others; beyond that the
		// stream applies back-pressure, as Envoy's single dispatcher thread would.
		ch = make(chan received, 16)
		s.inbox[typeURL] = ch
	}
	return ch
}

func (s *adsStream) subscribed(typeURL string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.inbox[typeURL]
	return ok
}

// demux reads the stream until it fails and hands each response to its type's client.
func (s *adsStream) demux() {
	defer close(s.done)
	for {
		resp, err := s.raw.Recv()
		if err != nil {
			s.err = err
			return
		}
		if !s.subscribed(resp.GetTypeUrl()) {
			// Envoy ignores (and logs) responses for types it never asked for.
			s.hooks.Warn("ignoring a response of unrequested type " + resp.GetTypeUrl())
			continue
		}
		select {
		case s.inboxFor(resp.GetTypeUrl()) <- received{resp: resp, bytes: proto.Size(resp)}:
		case <-s.ctx.Done():
			s.err = s.ctx.Err()
			return
		}
	}
}

func (s *adsStream) send(req *discoveryv3.DiscoveryRequest) error {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	return s.raw.Send(req)
}

// typeConn is the grpc.ClientConnInterface one ADSClient dials: NewStream returns a view of the
// shared stream for the subscriber's type instead of opening a stream.
type typeConn struct {
	s   *adsStream
	sub *subscriber
}

func (c *typeConn) Invoke(context.Context, string, any, any, ...grpc.CallOption) error {
	return status.Error(codes.Unimplemented, "adsclient: only the ADS stream is multiplexed")
}

func (c *typeConn) NewStream(_ context.Context, _ *grpc.StreamDesc, method string, _ ...grpc.CallOption) (grpc.ClientStream, error) {
	if method != discoveryv3.AggregatedDiscoveryService_StreamAggregatedResources_FullMethodName {
		return nil, status.Errorf(codes.Unimplemented, "adsclient: %s is not multiplexed", method)
	}
	ts := &typeStream{s: c.s, sub: c.sub, inbox: c.s.inboxFor(c.sub.typeURL)}
	c.sub.setStream(ts)
	return ts, nil
}

// typeStream is one type's view of the shared stream (grpc.ClientStream).
type typeStream struct {
	s     *adsStream
	sub   *subscriber
	inbox chan received

	mu   sync.Mutex
	sent bool
	last received
}

func (t *typeStream) SendMsg(m any) error {
	req, ok := m.(*discoveryv3.DiscoveryRequest)
	if !ok {
		return status.Errorf(codes.Internal, "adsclient: unexpected request type %T", m)
	}
	t.mu.Lock()
	first := !t.sent
	t.sent = true
	t.mu.Unlock()
	out := t.sub.stamp(req, first, t.s.hooks.Warn)
	if err := t.s.send(out); err != nil {
		return err
	}
	kind := "ack"
	switch {
	case first:
		kind = "request"
	case out.GetErrorDetail() != nil:
		kind = "nack"
	}
	t.s.hooks.Sent(kind, t.sub.short, out)
	return nil
}

func (t *typeStream) RecvMsg(m any) error {
	select {
	case r := <-t.inbox:
		t.mu.Lock()
		t.last = r
		t.mu.Unlock()
		dst := m.(proto.Message)
		proto.Reset(dst)
		proto.Merge(dst, r.resp)
		return nil
	case <-t.s.done:
		return t.s.err
	}
}

// lastReceived is the whole DiscoveryResponse behind the ADSClient's last Fetch, whose Response
// carries only the resources (hooks also see version, nonce and size).
func (t *typeStream) lastReceived() received {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last
}

// Header, Trailer and CloseSend belong to the shared stream, not to one type's view of it.
func (t *typeStream) Header() (metadata.MD, error) { return nil, nil }
func (t *typeStream) Trailer() metadata.MD         { return nil }
func (t *typeStream) CloseSend() error             { return nil }
func (t *typeStream) Context() context.Context     { return t.s.ctx }
