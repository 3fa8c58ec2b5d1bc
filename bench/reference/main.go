// Command reference is the Go baseline that bench/service compares the compute service
// against: the same calc.Calc Add and NthPrimes, an in-memory user.UserService and
// counter.v1.Counter over gRPC, GET /fibonacci/{n}/ and the in-memory /getCounter over HTTP,
// written the way a plain Go service would be (the old Go services kept everything in memory).
// It listens on loopback only and prints "ready" on stdout once both ports accept.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"google.golang.org/grpc"
)

func main() {
	grpcPort := flag.Int("grpc-port", 50061, "gRPC port on 127.0.0.1")
	httpPort := flag.Int("http-port", 8061, "HTTP port on 127.0.0.1")
	flag.Parse()

	grpcListener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *grpcPort))
	if err != nil {
		log.Fatalf("gRPC listen: %v", err)
	}
	httpListener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *httpPort))
	if err != nil {
		log.Fatalf("HTTP listen: %v", err)
	}

	grpcServer := grpc.NewServer()
	grpcServer.RegisterService(&calcServiceDesc, calcServer{})
	grpcServer.RegisterService(userServiceDesc(newDirectory()), nil)
	grpcServer.RegisterService(counterServiceDesc(), nil)
	go func() {
		if err := grpcServer.Serve(grpcListener); err != nil {
			log.Fatalf("gRPC serve: %v", err)
		}
	}()
	httpServer := &http.Server{Handler: newHTTPHandler()}
	go func() {
		if err := httpServer.Serve(httpListener); err != nil && err != http.ErrServerClosed {
			log.Fatalf("HTTP serve: %v", err)
		}
	}()
	fmt.Println("ready")

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	<-signals
	grpcServer.Stop()
	_ = httpServer.Close()
}
