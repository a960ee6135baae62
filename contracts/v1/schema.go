package v1

import (
	"encoding/json"
	"fmt"
	"reflect"
)

// JSONSchema returns the JSON Schema (draft 2020-12) of the event of type t. It is derived from
// the Go types by the same rules Decode applies: fields without omitempty are required, unknown
// fields are refused, decimals are strings, enums list their values. Rules across fields, such
// as weights summing to 1, are Validate's and are stated in the description.
func JSONSchema(t DetailType) ([]byte, error) {
	ev, err := New(t)
	if err != nil {
		return nil, err
	}
	s := schemaOf(reflect.TypeOf(ev).Elem())
	s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	s["$id"] = fmt.Sprintf("https://alchemiser.invalid/schemas/v1/%s.json", t)
	s["title"] = string(t)
	s["description"] = fmt.Sprintf("Alchemiser %s, schema version %s. Field rules beyond types are enforced by contracts/v1 Validate.", t, SchemaVersion)
	props := s["properties"].(map[string]any)
	props["event_type"] = map[string]any{"const": string(t)}
	props["schema_version"] = map[string]any{"type": "string", "pattern": `^1\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`}
	return json.MarshalIndent(s, "", "  ")
}

func schemaOf(t reflect.Type) map[string]any {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == decimalType:
		return map[string]any{"type": "string", "pattern": decimalPattern.String()}
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.Struct:
		props := map[string]any{}
		required := []string{}
		for _, f := range fields(t) {
			props[f.name] = schemaOf(f.typ)
			if f.required {
				required = append(required, f.name)
			}
		}
		return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
	case reflect.Slice:
		return map[string]any{"type": []string{"array", "null"}, "items": schemaOf(t.Elem())}
	case reflect.String:
		if t.Implements(enumerType) {
			return map[string]any{"type": "string", "enum": reflect.Zero(t).Interface().(enumer).enumValues()}
		}
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer"}
	}
	panic(fmt.Sprintf("contracts: no schema for Go kind %s", t.Kind())) // a programming error caught by the schema test
}
