package control

import (
	"context"
	"encoding/json"
	"fmt"
)

// Call runs the operation op in-process, as a request over the socket
// would, for parts of the daemon that answer people another way (the
// dashboard's search box asks "why"). req is encoded as the client
// would send it. An operation not registered is an error saying so.
func (s *Server) Call(ctx context.Context, op string, req any) (any, error) {
	h := s.handler(op)
	if h == nil {
		return nil, fmt.Errorf("this daemon (version %s) has no operation %q", s.o.Version, op)
	}
	raw, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encode the %s request: %w", op, err)
	}
	return h(ctx, raw)
}
