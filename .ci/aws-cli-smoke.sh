#!/usr/bin/env bash
# Smoke test of the local EventBridge with the real aws CLI: starts `alchemiser local events` on a
# free loopback port with a temporary state folder and drives it through `aws events` and
# `aws sqs`. Fails loudly on any mismatch. Needs the aws CLI (Debian: apt-get install -y awscli).
# Uses $ALCHEMISER if set, otherwise builds the command.
set -euo pipefail

cd "$(dirname "$0")/.."
work="$(mktemp -d)"
pid=""
cleanup() {
	if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

fail() {
	echo "aws-cli-smoke: FAIL: $*" >&2
	if [[ -f "$work/bus.log" ]]; then
		echo "--- bus log ---" >&2
		tail -n 50 "$work/bus.log" >&2 || true
	fi
	exit 1
}

expect() { # expect NAME GOT WANT
	if [[ "$2" != "$3" ]]; then
		fail "$1: got '$2', want '$3'"
	fi
	echo "ok  $1"
}

command -v aws >/dev/null || fail "the aws CLI is not installed"
aws --version

bin="${ALCHEMISER:-}"
if [[ -z "$bin" ]]; then
	bin="$work/alchemiser"
	(cd infra/local && go build -o "$bin" ./cmd/alchemiser) || fail "build alchemiser"
fi

export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_SESSION_TOKEN="" AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_PAGER="" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true

"$bin" local events --addr 127.0.0.1:0 --state "$work/state" --retry-base 1ms --retry-max 5ms >"$work/bus.log" 2>&1 &
pid=$!
endpoint=""
for _ in $(seq 1 200); do
	endpoint="$(sed -n 's/^  EVENTBRIDGE_ENDPOINT=//p' "$work/bus.log")"
	[[ -n "$endpoint" ]] && break
	kill -0 "$pid" 2>/dev/null || fail "alchemiser local events exited"
	sleep 0.05
done
[[ -n "$endpoint" ]] || fail "the bus did not print its endpoint"
echo "bus at $endpoint"
ev() { aws --endpoint-url "$endpoint" --output text events "$@"; }
sq() { aws --endpoint-url "$endpoint" --output text sqs "$@"; }

start="$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ)"

# put-events
out="$(ev put-events --entries '[{"Source":"smoke.other","DetailType":"Ping","Detail":"{\"n\":1}"}]' --query 'FailedEntryCount')"
expect "put-events FailedEntryCount" "$out" "0"
id="$(ev put-events --entries '[{"Source":"smoke.other","DetailType":"Ping","Detail":"{\"n\":2}"}]' --query 'Entries[0].EventId')"
[[ "$id" =~ ^[0-9a-f-]{36}$ ]] || fail "put-events EventId: got '$id'"
echo "ok  put-events EventId $id"
out="$(ev put-events --entries '[{"Source":"smoke.other","DetailType":"Ping","Detail":"not json"}]' --query 'Entries[0].ErrorCode')"
expect "put-events malformed detail" "$out" "MalformedDetail"

# test-event-pattern
event='{"id":"1","account":"000000000000","source":"smoke.test","time":"2026-01-01T00:00:00Z","region":"us-east-1","detail-type":"Ping","resources":[],"detail":{"n":5}}'
out="$(ev test-event-pattern --event-pattern '{"source":["smoke.test"],"detail":{"n":[{"numeric":[">",3]}]}}' --event "$event" --query Result)"
expect "test-event-pattern match" "$out" "True"
out="$(ev test-event-pattern --event-pattern '{"source":["other"]}' --event "$event" --query Result)"
expect "test-event-pattern no match" "$out" "False"
if ev test-event-pattern --event-pattern '{"source":[]}' --event "$event" 2>"$work/err"; then
	fail "test-event-pattern accepted an empty array"
fi
grep -q InvalidEventPatternException "$work/err" || fail "test-event-pattern error: $(cat "$work/err")"
echo "ok  test-event-pattern InvalidEventPatternException"

# a DLQ, and a rule whose target (a Lambda function that does not exist) always fails
qurl="$(sq create-queue --queue-name smoke-dlq --query QueueUrl)"
expect "sqs create-queue" "$qurl" "$endpoint/000000000000/smoke-dlq"
out="$(sq get-queue-url --queue-name smoke-dlq --query QueueUrl)"
expect "sqs get-queue-url" "$out" "$qurl"
qarn="$(sq get-queue-attributes --queue-url "$qurl" --attribute-names QueueArn --query Attributes.QueueArn)"
expect "sqs queue arn" "$qarn" "arn:aws:sqs:us-east-1:000000000000:smoke-dlq"

out="$(ev put-rule --name smoke-rule --event-pattern '{"source":["smoke.test"]}' --query RuleArn)"
expect "put-rule" "$out" "arn:aws:events:us-east-1:000000000000:rule/smoke-rule"
out="$(ev put-targets --rule smoke-rule --targets "[{\"Id\":\"missing\",\"Arn\":\"arn:aws:lambda:us-east-1:000000000000:function:missing\",\"RetryPolicy\":{\"MaximumRetryAttempts\":1,\"MaximumEventAgeInSeconds\":60},\"DeadLetterConfig\":{\"Arn\":\"$qarn\"}}]" --query FailedEntryCount)"
expect "put-targets" "$out" "0"
out="$(ev list-rules --query 'Rules[?Name==`smoke-rule`].State')"
expect "list-rules" "$out" "ENABLED"
out="$(ev list-targets-by-rule --rule smoke-rule --query 'Targets[0].DeadLetterConfig.Arn')"
expect "list-targets-by-rule" "$out" "$qarn"

id="$(ev put-events --entries '[{"Source":"smoke.test","DetailType":"Ping","Detail":"{\"correlation_id\":\"smoke-1\"}"}]' --query 'Entries[0].EventId')"
n=0
for _ in $(seq 1 200); do
	n="$(sq get-queue-attributes --queue-url "$qurl" --attribute-names ApproximateNumberOfMessages --query Attributes.ApproximateNumberOfMessages)"
	[[ "$n" == "1" ]] && break
	sleep 0.05
done
expect "sqs get-queue-attributes ApproximateNumberOfMessages" "$n" "1"

# sqs receive-message on the DLQ, with the dead-letter attributes
aws --endpoint-url "$endpoint" --output json sqs receive-message --queue-url "$qurl" --message-attribute-names All --max-number-of-messages 10 >"$work/msg.json"
attr() { python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["Messages"]; assert len(m)==1, m; print(m[0]["MessageAttributes"][sys.argv[2]]["StringValue"])' "$work/msg.json" "$1"; }
expect "DLQ RULE_ARN" "$(attr RULE_ARN)" "arn:aws:events:us-east-1:000000000000:rule/smoke-rule"
expect "DLQ TARGET_ARN" "$(attr TARGET_ARN)" "arn:aws:lambda:us-east-1:000000000000:function:missing"
expect "DLQ ERROR_CODE" "$(attr ERROR_CODE)" "ResourceNotFoundException"
expect "DLQ EXHAUSTED_RETRY_CONDITION" "$(attr EXHAUSTED_RETRY_CONDITION)" "MaximumRetryAttempts"
expect "DLQ RETRY_ATTEMPTS" "$(attr RETRY_ATTEMPTS)" "1"
[[ -n "$(attr ERROR_MESSAGE)" ]] || fail "DLQ ERROR_MESSAGE is empty"
body_id="$(python3 -c 'import json,sys; print(json.loads(json.load(open(sys.argv[1]))["Messages"][0]["Body"])["id"])' "$work/msg.json")"
expect "DLQ body is the event" "$body_id" "$id"
receipt="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["Messages"][0]["ReceiptHandle"])' "$work/msg.json")"
sq delete-message --queue-url "$qurl" --receipt-handle "$receipt"
out="$(sq get-queue-attributes --queue-url "$qurl" --attribute-names All --query 'Attributes.[ApproximateNumberOfMessages,ApproximateNumberOfMessagesNotVisible]')"
expect "sqs delete-message" "$(echo $out)" "0 0"

# start-replay of the local archive, then describe-replay until it completes
sleep 1 # the window's end must be after the last event's time (whole seconds)
end="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
archive_arn="$(ev describe-archive --archive-name alchemiser-local --query ArchiveArn)"
count="$(ev describe-archive --archive-name alchemiser-local --query EventCount)"
expect "describe-archive EventCount" "$count" "3"
out="$(ev start-replay --replay-name smoke-replay --event-source-arn "$archive_arn" --event-start-time "$start" --event-end-time "$end" \
	--destination "{\"Arn\":\"arn:aws:events:us-east-1:000000000000:event-bus/default\",\"FilterArns\":[\"arn:aws:events:us-east-1:000000000000:rule/smoke-rule\"]}" --query State)"
expect "start-replay" "$out" "STARTING"
state=""
for _ in $(seq 1 200); do
	state="$(ev describe-replay --replay-name smoke-replay --query State)"
	[[ "$state" == "COMPLETED" || "$state" == "FAILED" ]] && break
	sleep 0.05
done
expect "describe-replay" "$state" "COMPLETED"
# the replayed event fails again and lands in the DLQ, marked with replay-name
for _ in $(seq 1 200); do
	n="$(sq get-queue-attributes --queue-url "$qurl" --attribute-names ApproximateNumberOfMessages --query Attributes.ApproximateNumberOfMessages)"
	[[ "$n" == "1" ]] && break
	sleep 0.05
done
expect "replayed event dead-lettered" "$n" "1"
body="$(sq receive-message --queue-url "$qurl" --query 'Messages[0].Body')"
[[ "$body" == *'"replay-name":"smoke-replay"'* ]] || fail "replayed event lacks replay-name: $body"
echo "ok  replayed event carries replay-name"
count="$(ev describe-archive --archive-name alchemiser-local --query EventCount)"
expect "archive does not re-archive replayed events" "$count" "3"

echo "aws-cli-smoke: all checks passed"
