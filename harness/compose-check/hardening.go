package main

import (
	"fmt"
	"net/url"
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
// this machine, a read-only anonymous Grafana that takes no password beside it, no healthcheck
// that starts a Node process, and a stop grace period longer than a service's own shutdown.
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
	// Basic auth is on unless turned off, and takes the admin's password in any request's
	// Authorization header (admin/admin on a Grafana whose admin password was never set).
	// Beside anonymous viewing it is a way in that nobody sees on the page.
	if strings.EqualFold(env(service, "GF_AUTH_ANONYMOUS_ENABLED"), "true") && !strings.EqualFold(env(service, "GF_AUTH_BASIC_ENABLED"), "false") {
		problems = append(problems, fmt.Sprintf("%s allows basic auth beside anonymous viewing: set GF_AUTH_BASIC_ENABLED to 'false'", name))
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

// databaseRoleProblems: every service connects to PostgreSQL as a role of its own, never as
// the superuser (POSTGRES_USER of the database's service, postgres by default), so one
// service's credentials open no other service's data.
func databaseRoleProblems(project *types.Project) []string {
	var problems []string
	usedBy := map[string]string{}
	names := make([]string, 0, len(project.Services))
	for name := range project.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		raw := env(project.Services[name], "DATABASE_URL")
		if raw == "" {
			continue
		}
		parsed, err := url.Parse(raw)
		if err != nil || parsed.User == nil || parsed.User.Username() == "" {
			problems = append(problems, fmt.Sprintf("%s's DATABASE_URL names no user", name))
			continue
		}
		user := parsed.User.Username()
		superuser := "postgres"
		if database, ok := project.Services[parsed.Hostname()]; ok && env(database, "POSTGRES_USER") != "" {
			superuser = env(database, "POSTGRES_USER")
		}
		if user == superuser {
			problems = append(problems, fmt.Sprintf("%s connects to PostgreSQL as the superuser %s, not a role of its own", name, user))
		}
		if other, taken := usedBy[user]; taken {
			problems = append(problems, fmt.Sprintf("%s and %s share the PostgreSQL role %s", other, name, user))
		} else {
			usedBy[user] = name
		}
	}
	return problems
}
