package main

import (
	"context"
	"math"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// calcServer implements calc.Calc Add and NthPrimes (service/proto/calc.proto).
type calcServer struct{}

// maxNth is the largest n NthPrimes accepts (the wire contract's range is 1..10001).
const maxNth = 10001

// primes holds the first maxNth primes, computed once at start-up by a sieve.
var primes = firstPrimes(maxNth)

func firstPrimes(count int) []uint64 {
	const limit = 105000 // the 10001st prime is 104743
	composite := make([]bool, limit)
	found := make([]uint64, 0, count)
	for i := 2; i < limit && len(found) < count; i++ {
		if composite[i] {
			continue
		}
		found = append(found, uint64(i))
		for j := i * i; j < limit; j += i {
			composite[j] = true
		}
	}
	return found
}

func (calcServer) Add(_ context.Context, req *addRequest) (*addResponse, error) {
	sum := req.A + req.B
	if (req.B > 0 && req.A > math.MaxInt64-req.B) || (req.B < 0 && req.A < math.MinInt64-req.B) {
		return nil, status.Errorf(codes.OutOfRange, "%d + %d overflows int64", req.A, req.B)
	}
	return &addResponse{Sum: sum}, nil
}

func (calcServer) NthPrimes(_ context.Context, req *nthPrimesRequest) (*nthPrimesResponse, error) {
	out := make([]uint64, len(req.N))
	for i, n := range req.N {
		if n < 1 || n > maxNth {
			return nil, status.Errorf(codes.InvalidArgument, "n must be in 1..%d, got %d", maxNth, n)
		}
		out[i] = primes[n-1]
	}
	return &nthPrimesResponse{NthPrimes: out}, nil
}

// calcServiceDesc is what protoc-gen-go-grpc would generate for calc.Calc's two methods.
var calcServiceDesc = grpc.ServiceDesc{
	ServiceName: "calc.Calc",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Add", Handler: unaryHandler("/calc.Calc/Add", calcServer{}.Add)},
		{MethodName: "NthPrimes", Handler: unaryHandler("/calc.Calc/NthPrimes", calcServer{}.NthPrimes)},
	},
	Metadata: "calc.proto",
}

// unaryHandler adapts a typed method to grpc's handler signature, like generated code does.
func unaryHandler[Req any, Res any, PReq interface {
	*Req
	wireMessage
}](fullMethod string, method func(context.Context, PReq) (Res, error)) grpc.MethodHandler {
	return func(srv any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
		in := PReq(new(Req))
		if err := dec(in); err != nil {
			return nil, err
		}
		if interceptor == nil {
			return method(ctx, in)
		}
		info := &grpc.UnaryServerInfo{Server: srv, FullMethod: fullMethod}
		return interceptor(ctx, in, info, func(ctx context.Context, req any) (any, error) {
			return method(ctx, req.(PReq))
		})
	}
}
