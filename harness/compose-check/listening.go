package main

import (
	"fmt"
	"regexp"

	"github.com/compose-spec/compose-go/v2/types"
)

// ourServers are the programs of ours that serve HTTP. Each listens on 127.0.0.1 unless HOST
// says otherwise, which in a container is a trap: its own healthcheck (on 127.0.0.1) passes,
// yet neither the other containers nor the published port reach it.
var ourServers = regexp.MustCompile(`^(services/[^/]+/src/main\.ts|infra/alert-webhook/server\.ts)$`)

// listenProblems names a container that runs one of our servers without HOST=0.0.0.0.
func listenProblems(name string, service types.ServiceConfig) []string {
	for _, arg := range service.Command {
		if ourServers.MatchString(arg) && env(service, "HOST") != "0.0.0.0" {
			return []string{fmt.Sprintf("%s runs %s without HOST=0.0.0.0, so only its own container would reach it", name, arg)}
		}
	}
	return nil
}
