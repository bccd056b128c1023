// Command joinopenapi prints the OpenAPI document joined from
// schemas/openapi/*.yaml: `make schemas` writes it to schemas/openapi.yaml.
package main

import (
	"fmt"
	"os"

	"github.com/parleyhq/parley/schemas"
)

func main() {
	doc, err := schemas.JoinOpenAPI()
	if err != nil {
		fmt.Fprintf(os.Stderr, "joining schemas/openapi: %v\n", err)
		os.Exit(1)
	}
	os.Stdout.Write(doc)
}
