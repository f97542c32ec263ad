// yamljson reads YAML on stdin the way kubectl and Helm do (sigs.k8s.io/yaml, YAML 1.1
// rules) and prints it as JSON: the e2e YAML-reader test compares that JSON with what
// the Rust writer meant to write.
package main

import (
	"fmt"
	"io"
	"os"

	"sigs.k8s.io/yaml"
)

func main() {
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := yaml.YAMLToJSON(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(out)
}
