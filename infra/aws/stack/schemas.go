package stack

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awseventschemas"
	"github.com/aws/jsii-runtime-go"

	v1 "github.com/alchemiser/alchemiser/contracts/v1"
)

// schemas registers every event's JSON Schema in a registry of the stage, one schema per event
// and major version. The registry reads JSON Schema draft 4, so the contract's draft 2020-12
// schema is converted: the one 2020-12 keyword the contract uses, const, becomes a one-value enum.
func (b *built) schemas() {
	reg := awseventschemas.NewCfnRegistry(b.stack, jsii.String("SchemaRegistry"), &awseventschemas.CfnRegistryProps{
		RegistryName: jsii.String(b.name("events")),
		Description:  jsii.String("Alchemiser's event contract (contracts/v1)."),
	})
	for _, dt := range v1.DetailTypes() {
		content, err := Draft4Schema(dt)
		if err != nil {
			panic(err) // the contract's own schema test prevents this
		}
		s := awseventschemas.NewCfnSchema(b.stack, jsii.String("Schema"+string(dt)), &awseventschemas.CfnSchemaProps{
			RegistryName: reg.AttrRegistryName(),
			SchemaName:   jsii.String(fmt.Sprintf("alchemiser@v%d@%s", v1.Major, dt)),
			Type:         jsii.String("JSONSchemaDraft4"),
			Content:      jsii.String(content),
			Description:  jsii.String(fmt.Sprintf("%s, schema version %s", dt, v1.SchemaVersion)),
		})
		s.Node().AddDependency(reg)
	}
}

// Draft4Schema returns the contract's schema of dt in JSON Schema draft 4.
func Draft4Schema(dt v1.DetailType) (string, error) {
	raw, err := v1.JSONSchema(dt)
	if err != nil {
		return "", err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return "", err
	}
	doc["$schema"] = "http://json-schema.org/draft-04/schema#"
	delete(doc, "$id")
	toDraft4(doc)
	out, err := json.Marshal(doc)
	return string(out), err
}

func toDraft4(v any) {
	switch x := v.(type) {
	case map[string]any:
		if c, ok := x["const"]; ok {
			delete(x, "const")
			x["enum"] = []any{c}
		}
		for _, e := range x {
			toDraft4(e)
		}
	case []any:
		for _, e := range x {
			toDraft4(e)
		}
	}
}
