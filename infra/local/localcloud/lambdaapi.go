package localcloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/alchemiser/alchemiser/infra/local/lambdahost"
)

// lambdaAPI serves the Lambda Invoke API (POST /2015-03-31/functions/{name}/invocations) for the
// host's functions, so `aws lambda invoke --endpoint-url ...` and the SDK reach them as in AWS:
// RequestResponse runs the function and returns its result, Event queues it with the async
// retry semantics, and a function error comes back with X-Amz-Function-Error.
type lambdaAPI struct {
	host *lambdahost.Host
	srv  *http.Server
	ln   net.Listener
}

const maxPayload = 6 << 20 // Lambda's synchronous payload limit

func serveLambdaAPI(host *lambdahost.Host, addr string) (*lambdaAPI, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("local Lambda API: listen %s: %w", addr, err)
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		ln.Close()
		return nil, fmt.Errorf("local Lambda API: %s is not a loopback address", addr)
	}
	a := &lambdaAPI{host: host, ln: ln}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", a.invoke)
	a.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = a.srv.Serve(ln) }()
	return a, nil
}

func (a *lambdaAPI) endpoint() string { return "http://" + a.ln.Addr().String() }

func (a *lambdaAPI) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return a.srv.Shutdown(ctx)
}

func (a *lambdaAPI) invoke(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	payload, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	if err != nil {
		apiError(w, http.StatusBadRequest, "InvalidRequestContentException", "read body: "+err.Error())
		return
	}
	if len(payload) > maxPayload {
		apiError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation")
		return
	}
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	if !json.Valid(payload) {
		apiError(w, http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json")
		return
	}
	switch typ := r.Header.Get("X-Amz-Invocation-Type"); typ {
	case "", "RequestResponse":
		out, err := a.host.Invoke(r.Context(), name, payload)
		var fe *lambdahost.FunctionError
		switch {
		case errors.Is(err, lambdahost.ErrUnknownFunction):
			apiError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name)
		case errors.As(err, &fe):
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{"errorType": fe.Type, "errorMessage": fe.Message})
		case err != nil:
			apiError(w, http.StatusInternalServerError, "ServiceException", err.Error())
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Amz-Executed-Version", "$LATEST")
			_, _ = w.Write(out)
		}
	case "Event":
		if _, err := a.host.InvokeAsync(r.Context(), name, payload); err != nil {
			if errors.Is(err, lambdahost.ErrUnknownFunction) {
				apiError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name)
				return
			}
			apiError(w, http.StatusInternalServerError, "ServiceException", err.Error())
			return
		}
		w.WriteHeader(http.StatusAccepted)
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
	default:
		apiError(w, http.StatusBadRequest, "InvalidParameterValueException",
			fmt.Sprintf("X-Amz-Invocation-Type %q is not RequestResponse, Event or DryRun", strings.TrimSpace(typ)))
	}
}

func apiError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": msg})
}
