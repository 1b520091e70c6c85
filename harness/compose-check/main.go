// compose-check loads docker-compose.yml the way docker compose does, with the
// compose-spec reference loader (github.com/compose-spec/compose-go, the library inside
// `docker compose`): schema validation, .env interpolation, references between services.
// Our machines have no Docker engine, so this is how the compose file is checked here.
// It also checks what compose only finds out when it starts containers: bind-mounted
// files exist, memory limits stay within the stack's budget, and our servers listen on every
// interface of their containers (listening.go); and what keeps the stack safe to run and
// copy (hardening.go), among them that no service connects to PostgreSQL as the superuser.
//
//	go run . [-budget-mib 2816] <project dir>
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	budget := flag.Int64("budget-mib", 2816, "most memory all limits may add up to, in MiB")
	flag.Parse()
	dir := flag.Arg(0)
	if dir == "" {
		dir = "."
	}
	if err := check(dir, *budget); err != nil {
		fmt.Fprintln(os.Stderr, "✗", err)
		os.Exit(1)
	}
}

func check(dir string, budgetMiB int64) error {
	options, err := cli.NewProjectOptions(
		[]string{filepath.Join(dir, "docker-compose.yml")},
		cli.WithWorkingDirectory(dir),
		cli.WithOsEnv,
		cli.WithEnvFiles(), // the project's .env, as `docker compose` finds it
		cli.WithDotEnv,
	)
	if err != nil {
		return err
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		return err
	}

	var problems []string
	var total int64
	names := make([]string, 0, len(project.Services))
	for name := range project.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		service := project.Services[name]
		if service.Deploy == nil || service.Deploy.Resources.Limits == nil || service.Deploy.Resources.Limits.MemoryBytes == 0 {
			problems = append(problems, fmt.Sprintf("%s has no memory limit", name))
		} else {
			total += int64(service.Deploy.Resources.Limits.MemoryBytes)
		}
		problems = append(problems, hardeningProblems(name, service)...)
		problems = append(problems, listenProblems(name, service)...)
		for _, volume := range service.Volumes {
			if volume.Type != "bind" {
				continue
			}
			if _, err := os.Stat(volume.Source); err != nil {
				problems = append(problems, fmt.Sprintf("%s mounts %s, which does not exist", name, volume.Source))
			}
		}
	}
	problems = append(problems, sharedNamespaceProblems(project)...)
	problems = append(problems, databaseRoleProblems(project)...)
	totalMiB := total >> 20
	if totalMiB > budgetMiB {
		problems = append(problems, fmt.Sprintf("memory limits add up to %d MiB, over the %d MiB budget", totalMiB, budgetMiB))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %v", project.Name, problems)
	}
	fmt.Printf("✓ %s: %d services valid, memory limits %d MiB of %d MiB\n", project.Name, len(names), totalMiB, budgetMiB)
	return nil
}
