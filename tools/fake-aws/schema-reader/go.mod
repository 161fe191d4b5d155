// The provider-schema reader of the fake AWS (see main.go). Standard library only: it parses the Go
// source of hashicorp/terraform-provider-aws, which tools/fake-aws/generate.ts downloads through the Go
// module proxy, and never builds or links it.
module tms.local/fake-aws/schema-reader

go 1.24
