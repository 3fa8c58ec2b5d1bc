package main

import (
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"sync/atomic"
)

// maxFibonacci is the largest n /fibonacci/{n}/ accepts (wire contract: 0..400).
const maxFibonacci = 400

func fibonacci(n int) *big.Int {
	a, b := big.NewInt(0), big.NewInt(1)
	for i := 0; i < n; i++ {
		a.Add(a, b)
		a, b = b, a
	}
	return a
}

// counter is the in-memory counter behind /getCounter and counter.v1.Counter/Next.
var counter atomic.Uint64

func newHTTPHandler() http.Handler {
	mux := http.NewServeMux()
	serveFibonacci := func(w http.ResponseWriter, r *http.Request) {
		raw := r.PathValue("n")
		n, err := strconv.Atoi(raw)
		w.Header().Set("Content-Type", "application/json")
		if err != nil || n < 0 || n > maxFibonacci {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error": %q}`, "invalid number: "+raw)
			return
		}
		fmt.Fprintf(w, `{"response": "%s"}`, fibonacci(n).String())
	}
	mux.HandleFunc("GET /fibonacci/{n}/", serveFibonacci)
	mux.HandleFunc("GET /fibonacci/{n}", serveFibonacci)
	mux.HandleFunc("/getCounter", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, strconv.FormatUint(counter.Add(1), 10))
	})
	return mux
}
