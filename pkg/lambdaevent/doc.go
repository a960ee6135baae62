// Package lambdaevent is the handler runtime of every Alchemiser Lambda function: it decodes the
// payload (an EventBridge envelope or a bare event) with the contract's strict decoder, dispatches
// on the detail-type to the handler the service registered, and runs cross-cutting concerns as
// middleware around it.
//
// A service builds one Router at cold start:
//
//	r := lambdaevent.NewRouter(logger,
//		lambdaevent.Logging(logger),
//		lambdaevent.Metrics(metrics),
//		lambdaevent.Recover(),
//		lambdaevent.Timeout(25*time.Second),
//		lambdaevent.Idempotency(store, "portfolio", time.Minute, time.Now),
//	)
//	r.Handle(v1.TypeSignalGenerated, h.OnSignal)
//	lambda.Start(r) // *Router implements lambda.Handler; pass r, not r.Invoke
//
// Standard(Options{...}) returns this chain. Middleware listed first runs outermost. Logging
// attaches the event's IDs to the context before anything logs and logs the outcome once;
// Metrics counts every invocation, failed or not; Recover turns a panic into an error that the
// two see; Timeout bounds the work; Idempotency claims the event last, so that only the handler
// runs under the claim, and releases the claim when the handler fails or panics. The Router
// itself recovers a panic that escapes the chain, and logs an error that no Logging middleware
// logged.
//
// # Errors
//
// A payload that does not decode, or a detail-type without a handler, gives an error marked
// Permanent: retrying it cannot succeed. Lambda's asynchronous retries do not look at the error,
// so permanent errors should reach the dead-letter queue quickly (few retries); the local Lambda
// host skips retries for them (IsPermanent). Handlers report non-retryable business failures by
// publishing StepFailed and returning nil, and return other errors to be retried.
//
// # Circuit breaker
//
// The Router records the detail-type being handled in the context (eventbus.WithHandling). While
// an ErrorNotificationRequested is handled, the publishers of pkg/eventbus drop, and log, any
// ErrorNotificationRequested, StepFailed or WorkflowFailed: a failing notifier can neither notify
// about its own failure nor make the orchestrator do so, so no error notification is ever about
// an error notification.
package lambdaevent
