package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// flushAllowance is how long a service may spend flushing telemetry after draining
// (packages/telemetry: Sentry ≤ 2 s, traces and logs ≤ 3 s).
const flushAllowance = 5 * time.Second

// hardeningProblems checks what a copied compose file must keep: nothing published beyond
// this machine, a read-only anonymous Grafana, no healthcheck that starts a Node process, and
// a stop grace period longer than a service's own shutdown.
func hardeningProblems(name string, service types.ServiceConfig) []string {
	var problems []string
	for _, port := range service.Ports {
		if port.Published != "" && port.HostIP != "127.0.0.1" {
			problems = append(problems, fmt.Sprintf("%s publishes port %s on %q, not 127.0.0.1", name, port.Published, port.HostIP))
		}
	}
	if role := env(service, "GF_AUTH_ANONYMOUS_ORG_ROLE"); role != "" && role != "Viewer" {
		problems = append(problems, fmt.Sprintf("%s gives anonymous visitors the %s role", name, role))
	}
	if check := service.HealthCheck; check != nil && len(check.Test) > 1 {
		command := strings.Fields(strings.Join(check.Test[1:], " "))
		if len(command) > 0 && command[0] == "node" {
			problems = append(problems, fmt.Sprintf("%s's healthcheck starts a Node process", name))
		}
	}
	if timeout := env(service, "SHUTDOWN_TIMEOUT_MS"); timeout != "" {
		need := milliseconds(env(service, "SHUTDOWN_READINESS_DELAY_MS")) + milliseconds(timeout) + flushAllowance
		grace := 10 * time.Second // Docker's default
		if service.StopGracePeriod != nil {
			grace = time.Duration(*service.StopGracePeriod)
		}
		if grace <= need {
			problems = append(problems, fmt.Sprintf("%s's stop_grace_period %s does not exceed readiness delay + drain + flush (%s)", name, grace, need))
		}
	}
	return problems
}

func env(service types.ServiceConfig, key string) string {
	if value := service.Environment[key]; value != nil {
		return *value
	}
	return ""
}

func milliseconds(value string) time.Duration {
	ms, _ := strconv.Atoi(value)
	return time.Duration(ms) * time.Millisecond
}

// sharedNamespaceProblems: a service that others join with `network_mode: service:<owner>`
// takes their network down whenever it restarts, so the owner must be one that does nothing
// but hold the namespace (`sleep infinity`), never a working service.
func sharedNamespaceProblems(project *types.Project) []string {
	var problems []string
	for name, service := range project.Services {
		owner, joined := strings.CutPrefix(service.NetworkMode, "service:")
		if !joined {
			continue
		}
		if command := strings.Join(project.Services[owner].Command, " "); command != "sleep infinity" {
			problems = append(problems, fmt.Sprintf("%s joins the network of %s, which runs %q and may restart under it", name, owner, command))
		}
	}
	sort.Strings(problems)
	return problems
}
