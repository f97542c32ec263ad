// celcost is the reference for crdgen's CEL cost estimator: it runs
// k8s.io/apiextensions-apiserver's own code over CRD files and prints, as JSON, what the
// kube-apiserver computes when the CRD is created: for every x-kubernetes-validations
// rule (and messageExpression) of every version, the cel-go cost estimate of one call,
// the cardinality it is multiplied by and the product; each version's total; and the
// errors ValidateCustomResourceDefinition returns (the refusal, if any).
//
// Usage: celcost FILE... (YAML, `---`-separated CustomResourceDefinition documents;
// other documents are skipped).
//
// celcost runtime CRD_FILE OBJECTS_FILE instead evaluates every rule the apiserver
// evaluates on create for each object of OBJECTS_FILE (YAML documents or a JSON array,
// already pruned and defaulted), under the apiserver's cost limits, and prints per object the cost
// spent (RuntimeCELCostBudget minus what remains; -1 remaining after an overrun) and
// the errors.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"

	apiextensions "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apivalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	"k8s.io/apimachinery/pkg/runtime"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"k8s.io/apiserver/pkg/cel/environment"
)

type ruleOut struct {
	// Path is the JSON path of the schema node holding the rule, as crdgen writes it
	// (`.spec.targets[*]`, `.*` for map values, `.` for the root).
	Path  string `json:"path"`
	Index int    `json:"index"`
	Rule  string `json:"rule"`
	// MessageExpression is set on the entries that estimate a messageExpression.
	MessageExpression string `json:"messageExpression,omitempty"`
	// Cost is cel-go's estimated maximum cost of one evaluation.
	Cost uint64 `json:"cost"`
	// Cardinality is what the apiserver multiplies Cost by.
	Cardinality uint64 `json:"cardinality"`
	Total       uint64 `json:"total"`
	Error       string `json:"error,omitempty"`
}

type versionOut struct {
	Name  string    `json:"name"`
	Rules []ruleOut `json:"rules"`
	Total uint64    `json:"total"`
}

type crdOut struct {
	Name     string       `json:"name"`
	Versions []versionOut `json:"versions"`
	// Errors are ValidateCustomResourceDefinition's, as the apiserver prints them.
	Errors []string `json:"errors"`
}

func main() {
	if len(os.Args) == 4 && os.Args[1] == "runtime" {
		runtimeCost(os.Args[2], os.Args[3])
		return
	}
	var out []crdOut
	for _, file := range os.Args[1:] {
		data, err := os.ReadFile(file)
		if err != nil {
			fail(err)
		}
		dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			var raw map[string]interface{}
			if err := dec.Decode(&raw); err != nil {
				if err == io.EOF {
					break
				}
				fail(fmt.Errorf("%s: %w", file, err))
			}
			if raw == nil || raw["kind"] != "CustomResourceDefinition" {
				continue
			}
			var v1 apiextensionsv1.CustomResourceDefinition
			if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(raw, &v1, true); err != nil {
				fail(fmt.Errorf("%s: %w", file, err))
			}
			out = append(out, estimate(&v1))
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fail(err)
	}
}

// readDocs decodes every YAML or JSON document of file.
func readDocs(file string) []map[string]interface{} {
	data, err := os.ReadFile(file)
	if err != nil {
		fail(err)
	}
	var docs []map[string]interface{}
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '[' {
		// A JSON array of documents (strings YAML cannot hold, such as U+0085).
		// utiljson keeps integers int64, as the apiserver decodes them.
		if err := utiljson.Unmarshal(trimmed, &docs); err != nil {
			fail(fmt.Errorf("%s: %w", file, err))
		}
		return docs
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var raw map[string]interface{}
		if err := dec.Decode(&raw); err != nil {
			if err == io.EOF {
				return docs
			}
			fail(fmt.Errorf("%s: %w", file, err))
		}
		if raw != nil {
			docs = append(docs, raw)
		}
	}
}

type runtimeOut struct {
	Name      string   `json:"name"`
	Spent     int64    `json:"spent"`
	Remaining int64    `json:"remaining"`
	Errors    []string `json:"errors"`
}

func runtimeCost(crdFile, objFile string) {
	var crd apiextensions.CustomResourceDefinition
	found := false
	for _, raw := range readDocs(crdFile) {
		if raw["kind"] != "CustomResourceDefinition" {
			continue
		}
		var v1 apiextensionsv1.CustomResourceDefinition
		if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(raw, &v1, true); err != nil {
			fail(err)
		}
		apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(&v1)
		if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(&v1, &crd, nil); err != nil {
			fail(err)
		}
		found = true
		break
	}
	if !found {
		fail(fmt.Errorf("%s: no CustomResourceDefinition", crdFile))
	}
	validators := map[string]*cel.Validator{}
	schemas := map[string]*structuralschema.Structural{}
	for _, v := range crd.Spec.Versions {
		validation := crd.Spec.Validation
		if v.Schema != nil {
			validation = v.Schema
		}
		ss, err := structuralschema.NewStructural(validation.OpenAPIV3Schema)
		if err != nil {
			fail(err)
		}
		apiVersion := crd.Spec.Group + "/" + v.Name
		schemas[apiVersion] = ss
		validators[apiVersion] = cel.NewValidator(ss, true, celconfig.PerCallLimit)
	}
	out := []runtimeOut{}
	for _, obj := range readDocs(objFile) {
		apiVersion, _ := obj["apiVersion"].(string)
		v, ok := validators[apiVersion]
		if !ok {
			fail(fmt.Errorf("%s: no version %q in the CRD", objFile, apiVersion))
		}
		errs, remaining := v.Validate(context.Background(), nil, schemas[apiVersion], obj, nil, celconfig.RuntimeCELCostBudget)
		name := ""
		if meta, ok := obj["metadata"].(map[string]interface{}); ok {
			name, _ = meta["name"].(string)
		}
		o := runtimeOut{Name: name, Remaining: remaining, Spent: celconfig.RuntimeCELCostBudget - remaining, Errors: []string{}}
		for _, e := range errs {
			o.Errors = append(o.Errors, e.Error())
		}
		sort.Strings(o.Errors)
		out = append(out, o)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "celcost:", err)
	os.Exit(2)
}

func estimate(v1 *apiextensionsv1.CustomResourceDefinition) crdOut {
	apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(v1)
	var crd apiextensions.CustomResourceDefinition
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(v1, &crd, nil); err != nil {
		fail(err)
	}
	res := crdOut{Name: crd.Name, Errors: []string{}}
	for _, e := range apivalidation.ValidateCustomResourceDefinition(context.Background(), &crd) {
		res.Errors = append(res.Errors, e.Error())
	}
	// Sorted: the validation visits properties in Go's map order.
	sort.Strings(res.Errors)
	envSet := environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion())
	for _, v := range crd.Spec.Versions {
		// The internal version keeps a schema shared by every version in
		// spec.validation.
		validation := crd.Spec.Validation
		if v.Schema != nil {
			validation = v.Schema
		}
		if validation == nil || validation.OpenAPIV3Schema == nil {
			continue
		}
		vo := versionOut{Name: v.Name, Rules: []ruleOut{}}
		root := validation.OpenAPIV3Schema
		walk(root, ".", apivalidation.RootCELContext(root), envSet, &vo)
		res.Versions = append(res.Versions, vo)
	}
	return res
}

// walk visits the schema as ValidateCustomResourceDefinitionOpenAPISchema does
// (properties, additionalProperties, items) with the same CEL contexts.
func walk(s *apiextensions.JSONSchemaProps, path string, ctx *apivalidation.CELSchemaContext, envSet *environment.EnvSet, vo *versionOut) {
	if s == nil {
		return
	}
	if len(s.XValidations) > 0 {
		compile(s, path, ctx, envSet, vo)
	}
	join := func(p, child string) string {
		if p == "." {
			return child
		}
		return p + child
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
		walk(s.AdditionalProperties.Schema, join(path, ".*"), ctx.ChildAdditionalPropertiesContext(s.AdditionalProperties.Schema), envSet, vo)
	}
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := s.Properties[n]
		walk(&p, join(path, "."+n), ctx.ChildPropertyContext(&p, n), envSet, vo)
	}
	if s.Items != nil && s.Items.Schema != nil {
		walk(s.Items.Schema, join(path, "[*]"), ctx.ChildItemsContext(s.Items.Schema), envSet, vo)
	}
}

func compile(s *apiextensions.JSONSchemaProps, path string, ctx *apivalidation.CELSchemaContext, envSet *environment.EnvSet, vo *versionOut) {
	typeInfo, err := ctx.TypeInfo()
	if err != nil || typeInfo == nil {
		for i, r := range s.XValidations {
			vo.Rules = append(vo.Rules, ruleOut{Path: path, Index: i, Rule: r.Rule, Error: fmt.Sprintf("no type information: %v", err)})
		}
		return
	}
	results, err := cel.Compile(typeInfo.Schema, typeInfo.DeclType, celconfig.PerCallLimit, envSet, cel.NewExpressionsEnvLoader())
	if err != nil {
		fail(fmt.Errorf("%s: %w", path, err))
	}
	for i, cr := range results {
		r := s.XValidations[i]
		card := cr.MaxCardinality
		if ctx.MaxCardinality != nil {
			card = *ctx.MaxCardinality
		}
		ro := ruleOut{Path: path, Index: i, Rule: r.Rule, Cost: cr.MaxCost, Cardinality: card, Total: mul(cr.MaxCost, card)}
		if cr.Error != nil {
			ro.Error = cr.Error.Detail
		}
		vo.Rules = append(vo.Rules, ro)
		vo.Total = add(vo.Total, ro.Total)
		if r.MessageExpression != "" {
			mo := ruleOut{Path: path, Index: i, Rule: r.Rule, MessageExpression: r.MessageExpression, Cost: cr.MessageExpressionMaxCost, Cardinality: card}
			if cr.MessageExpressionError != nil {
				mo.Error = cr.MessageExpressionError.Detail
			} else {
				// The apiserver adds a messageExpression's cost to the total unmultiplied.
				mo.Total = cr.MessageExpressionMaxCost
				vo.Total = add(vo.Total, mo.Total)
			}
			vo.Rules = append(vo.Rules, mo)
		}
	}
}

// mul is the apiserver's multiplyWithOverflowGuard.
func mul(cost, card uint64) uint64 {
	if cost == 0 {
		return 0
	}
	if math.MaxUint/cost < card {
		return math.MaxUint
	}
	return cost * card
}

func add(a, b uint64) uint64 {
	if math.MaxUint64-a < b {
		return math.MaxUint64
	}
	return a + b
}
