package eventbridge

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

const sqsJSON = "application/x-amz-json-1.0"

// sqsFault maps our queue errors to SQS's JSON error type and query error code.
func sqsFault(err error) *APIError {
	var ae *APIError
	if !errors.As(err, &ae) {
		return internalErr(err)
	}
	return ae
}

var sqsJSONTypes = map[string]string{
	"AWS.SimpleQueueService.NonExistentQueue": "com.amazonaws.sqs#QueueDoesNotExist",
	"InvalidParameterValue":                   "com.amazonaws.sqs#InvalidAttributeValue",
	"InvalidAction":                           "com.amazonaws.sqs#UnsupportedOperation",
}

func writeSQSJSONErr(w http.ResponseWriter, err error) {
	ae := sqsFault(err)
	typ := sqsJSONTypes[ae.Type]
	if typ == "" {
		typ = "com.amazonaws.sqs#" + ae.Type
	}
	w.Header().Set("x-amzn-query-error", ae.Type+";Sender")
	writeJSONErr(w, sqsJSON, &APIError{Status: ae.Status, Type: typ, Message: ae.Message})
}

func (b *Bus) queueURL(r *http.Request, name string) string {
	return fmt.Sprintf("http://%s/%s/%s", r.Host, b.cfg.Account, name)
}

// sqsRequest is the union of the SQS operations' inputs that the local queues support.
type sqsRequest struct {
	QueueName                   string
	QueueNamePrefix             string
	QueueUrl                    string //nolint:revive // AWS's field name
	Attributes                  map[string]string
	MessageBody                 string
	MessageAttributes           map[string]MessageAttribute
	MaxNumberOfMessages         int
	VisibilityTimeout           *int
	WaitTimeSeconds             int
	MessageAttributeNames       []string
	AttributeNames              []string
	MessageSystemAttributeNames []string
	ReceiptHandle               string
}

func (b *Bus) serveSQSJSON(w http.ResponseWriter, r *http.Request, op string, body []byte) {
	var in sqsRequest
	if err := decodeInput(body, &in); err != nil {
		writeSQSJSONErr(w, err)
		return
	}
	out, err := b.sqsOp(r, op, in)
	if err != nil {
		writeSQSJSONErr(w, err)
		return
	}
	writeJSON(w, sqsJSON, out)
}

// sqsOp runs one SQS operation; its result is shaped for the JSON protocol.
func (b *Bus) sqsOp(r *http.Request, op string, in sqsRequest) (map[string]any, error) {
	ctx := r.Context()
	switch op {
	case "CreateQueue":
		if err := b.CreateQueue(ctx, in.QueueName, in.Attributes); err != nil {
			return nil, err
		}
		return map[string]any{"QueueUrl": b.queueURL(r, in.QueueName)}, nil
	case "GetQueueUrl":
		if !b.hasQueue(in.QueueName) {
			return nil, queueErr(in.QueueName)
		}
		return map[string]any{"QueueUrl": b.queueURL(r, in.QueueName)}, nil
	case "ListQueues":
		urls := []string{}
		for _, n := range b.QueueNames(in.QueueNamePrefix) {
			urls = append(urls, b.queueURL(r, n))
		}
		return map[string]any{"QueueUrls": urls}, nil
	case "DeleteQueue":
		return map[string]any{}, b.DeleteQueue(ctx, queueName(in.QueueUrl))
	case "PurgeQueue":
		name := queueName(in.QueueUrl)
		msgs, err := b.PeekMessages(ctx, name)
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if err := b.DeleteMessage(ctx, name, m.MessageId); err != nil {
				return nil, err
			}
		}
		return map[string]any{}, nil
	case "SendMessage":
		id, err := b.SendMessage(ctx, queueName(in.QueueUrl), []byte(in.MessageBody), in.MessageAttributes)
		if err != nil {
			return nil, err
		}
		out := map[string]any{"MessageId": id, "MD5OfMessageBody": md5Hex([]byte(in.MessageBody))}
		if s := md5OfAttributes(in.MessageAttributes); s != "" {
			out["MD5OfMessageAttributes"] = s
		}
		return out, nil
	case "ReceiveMessage":
		vis := 30 * time.Second
		if in.VisibilityTimeout != nil {
			vis = time.Duration(*in.VisibilityTimeout) * time.Second
		}
		msgs, err := b.receiveWait(ctx, queueName(in.QueueUrl), max(in.MaxNumberOfMessages, 1), vis, time.Duration(min(max(in.WaitTimeSeconds, 0), 20))*time.Second)
		if err != nil {
			return nil, err
		}
		sys := append(append([]string{}, in.AttributeNames...), in.MessageSystemAttributeNames...)
		for i := range msgs {
			msgs[i].MessageAttributes = selectAttributes(msgs[i].MessageAttributes, in.MessageAttributeNames)
			msgs[i].MD5OfMessageAttributes = md5OfAttributes(msgs[i].MessageAttributes)
			msgs[i].Attributes = selectSystemAttributes(msgs[i].Attributes, sys)
		}
		if len(msgs) == 0 {
			return map[string]any{}, nil
		}
		return map[string]any{"Messages": msgs}, nil
	case "DeleteMessage":
		return map[string]any{}, b.DeleteMessage(ctx, queueName(in.QueueUrl), in.ReceiptHandle)
	case "GetQueueAttributes":
		attrs, err := b.QueueAttributes(ctx, queueName(in.QueueUrl))
		if err != nil {
			return nil, err
		}
		return map[string]any{"Attributes": selectSystemAttributes(attrs, in.AttributeNames)}, nil
	default:
		return nil, &APIError{Status: 400, Type: "InvalidAction", Message: fmt.Sprintf("The local SQS does not support the action %s.", op)}
	}
}

// The query protocol (form-encoded requests, XML responses), which older AWS CLIs use for SQS.

func (b *Bus) serveSQSQuery(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeQueryErr(w, &APIError{Status: 400, Type: "MalformedQueryString", Message: "could not parse the form body"})
		return
	}
	in := sqsRequest{
		QueueName: form.Get("QueueName"), QueueNamePrefix: form.Get("QueueNamePrefix"), QueueUrl: form.Get("QueueUrl"),
		MessageBody: form.Get("MessageBody"), ReceiptHandle: form.Get("ReceiptHandle"),
		MessageAttributeNames: listParam(form, "MessageAttributeName"), AttributeNames: listParam(form, "AttributeName"),
		MessageSystemAttributeNames: listParam(form, "MessageSystemAttributeName"),
	}
	if in.QueueUrl == "" && strings.Count(strings.Trim(r.URL.Path, "/"), "/") == 1 {
		in.QueueUrl = r.URL.Path
	}
	in.MaxNumberOfMessages, _ = strconv.Atoi(form.Get("MaxNumberOfMessages"))
	in.WaitTimeSeconds, _ = strconv.Atoi(form.Get("WaitTimeSeconds"))
	if v := form.Get("VisibilityTimeout"); v != "" {
		n, _ := strconv.Atoi(v)
		in.VisibilityTimeout = &n
	}
	in.Attributes = map[string]string{}
	for i := 1; form.Has(fmt.Sprintf("Attribute.%d.Name", i)); i++ {
		in.Attributes[form.Get(fmt.Sprintf("Attribute.%d.Name", i))] = form.Get(fmt.Sprintf("Attribute.%d.Value", i))
	}
	for i := 1; form.Has(fmt.Sprintf("MessageAttribute.%d.Name", i)); i++ {
		if in.MessageAttributes == nil {
			in.MessageAttributes = map[string]MessageAttribute{}
		}
		p := fmt.Sprintf("MessageAttribute.%d.", i)
		in.MessageAttributes[form.Get(p+"Name")] = MessageAttribute{DataType: form.Get(p + "Value.DataType"), StringValue: form.Get(p + "Value.StringValue")}
	}
	action := form.Get("Action")
	out, err := b.sqsOp(r, action, in)
	if err != nil {
		writeQueryErr(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	_, _ = fmt.Fprintf(w, `<?xml version="1.0"?><%sResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><%sResult>`, action, action)
	writeQueryResult(w, out)
	_, _ = fmt.Fprintf(w, `</%sResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`, action, newUUID(), action)
}

func listParam(form url.Values, name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := form[fmt.Sprintf("%s.%d", name, i)]
		if !ok {
			return out
		}
		out = append(out, v...)
	}
}

func xmlText(s string) string {
	var sb strings.Builder
	_ = xml.EscapeText(&sb, []byte(s))
	return sb.String()
}

func writeQueryResult(w http.ResponseWriter, out map[string]any) {
	keys := make([]string, 0, len(out))
	for k := range out {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch v := out[k].(type) {
		case string:
			_, _ = fmt.Fprintf(w, "<%s>%s</%s>", k, xmlText(v), k)
		case []string:
			for _, s := range v {
				_, _ = fmt.Fprintf(w, "<QueueUrl>%s</QueueUrl>", xmlText(s))
			}
		case map[string]string:
			for _, n := range sortedKeys(v) {
				_, _ = fmt.Fprintf(w, "<Attribute><Name>%s</Name><Value>%s</Value></Attribute>", xmlText(n), xmlText(v[n]))
			}
		case []Message:
			for _, m := range v {
				_, _ = fmt.Fprintf(w, "<Message><MessageId>%s</MessageId><ReceiptHandle>%s</ReceiptHandle><MD5OfBody>%s</MD5OfBody><Body>%s</Body>",
					xmlText(m.MessageId), xmlText(m.ReceiptHandle), m.MD5OfBody, xmlText(m.Body))
				for _, n := range sortedKeys(m.Attributes) {
					_, _ = fmt.Fprintf(w, "<Attribute><Name>%s</Name><Value>%s</Value></Attribute>", xmlText(n), xmlText(m.Attributes[n]))
				}
				if m.MD5OfMessageAttributes != "" {
					_, _ = fmt.Fprintf(w, "<MD5OfMessageAttributes>%s</MD5OfMessageAttributes>", m.MD5OfMessageAttributes)
				}
				names := make([]string, 0, len(m.MessageAttributes))
				for n := range m.MessageAttributes {
					names = append(names, n)
				}
				sort.Strings(names)
				for _, n := range names {
					a := m.MessageAttributes[n]
					_, _ = fmt.Fprintf(w, "<MessageAttribute><Name>%s</Name><Value><StringValue>%s</StringValue><DataType>%s</DataType></Value></MessageAttribute>",
						xmlText(n), xmlText(a.StringValue), xmlText(a.DataType))
				}
				_, _ = fmt.Fprint(w, "</Message>")
			}
		}
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func writeQueryErr(w http.ResponseWriter, err error) {
	ae := sqsFault(err)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(ae.Status)
	_, _ = fmt.Fprintf(w, `<?xml version="1.0"?><ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message><Detail/></Error><RequestId>%s</RequestId></ErrorResponse>`,
		xmlText(ae.Type), xmlText(ae.Message), newUUID())
}

// receiveWait is ReceiveMessages with long polling: with wait > 0 it polls until a message is
// visible, the wait is over or the caller gives up.
func (b *Bus) receiveWait(ctx context.Context, queue string, maxN int, visibility, wait time.Duration) ([]Message, error) {
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		msgs, err := b.ReceiveMessages(ctx, queue, maxN, visibility)
		if err != nil || len(msgs) > 0 || !time.Now().Before(deadline) {
			return msgs, err
		}
		select {
		case <-ctx.Done():
			return nil, nil
		case <-b.ctx.Done():
			return nil, nil
		case <-tick.C:
		}
	}
}
