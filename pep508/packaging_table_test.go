package pep508

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// packagingTable is testdata/packaging_table.json: what Python's packaging
// library says about markers and requirement lines, written once by
// testdata/gen.py (see there how to regenerate it).
type packagingTable struct {
	Environments map[string]map[string]string `json:"environments"`
	Markers      []struct {
		Marker     string         `json:"marker"`
		Invalid    string         `json:"invalid"`
		Normalized string         `json:"normalized"`
		Results    map[string]any `json:"results"`
		// Departure, when set, is what the Go code does instead of what
		// packaging 23.0 does (gen.py says why): reject the text, or give
		// these results.
		Departure *struct {
			Reason  string         `json:"reason"`
			Invalid bool           `json:"invalid"`
			Results map[string]any `json:"results"`
		} `json:"departure"`
	} `json:"markers"`
	Requirements []struct {
		Requirement string         `json:"requirement"`
		Invalid     string         `json:"invalid"`
		Name        string         `json:"name"`
		Extras      []string       `json:"extras"`
		Specifiers  []string       `json:"specifiers"`
		URL         string         `json:"url"`
		Marker      string         `json:"marker"`
		Results     map[string]any `json:"results"`
	} `json:"requirements"`
}

func readPackagingTable(t *testing.T) packagingTable {
	t.Helper()
	data, err := os.ReadFile("testdata/packaging_table.json")
	if err != nil {
		t.Fatal(err)
	}
	var table packagingTable
	if err := json.Unmarshal(data, &table); err != nil {
		t.Fatal(err)
	}
	if len(table.Markers) == 0 || len(table.Requirements) == 0 || len(table.Environments) == 0 {
		t.Fatal("the packaging table is empty")
	}
	return table
}

// tableEnvironment is a table environment as an Environment: its `extra`
// value, when not empty, is the one extra requested.
func tableEnvironment(values map[string]string) Environment {
	env := Environment{Values: map[string]string{}}
	for k, v := range values {
		if k == "extra" {
			if v != "" {
				env.Extras = []string{v}
			}
			continue
		}
		env.Values[k] = v
	}
	return env
}

// evaluationsAgree compares m's evaluation in every table environment with
// packaging's result (true, false, or "error: ...").
func evaluationsAgree(t *testing.T, table packagingTable, m Marker, want map[string]any) {
	t.Helper()
	for name, values := range table.Environments {
		got, err := m.Evaluate(tableEnvironment(values))
		var g any = got
		if err != nil {
			g = "error"
		}
		w := want[name]
		if s, ok := w.(string); ok && strings.HasPrefix(s, "error") {
			w = "error"
		}
		if g != w {
			t.Errorf("in %s: Go says %v (%v), packaging says %v", name, g, err, want[name])
		}
	}
}

func TestPackagingTableMarkers(t *testing.T) {
	table := readPackagingTable(t)
	for _, row := range table.Markers {
		t.Run(row.Marker, func(t *testing.T) {
			m, err := ParseMarker(row.Marker)
			if d := row.Departure; d != nil && d.Invalid {
				row.Invalid = d.Reason
			}
			if d := row.Departure; d != nil && d.Results != nil {
				row.Results = d.Results
			}
			if row.Invalid != "" {
				if err == nil {
					t.Fatalf("parsed as %q; packaging rejects it (%s)", m.String(), row.Invalid)
				}
				return
			}
			if err != nil && !failsEverywhere(row.Results) {
				t.Fatalf("Go rejects it: %v; packaging reads %q", err, row.Normalized)
			}
			if err != nil {
				return // packaging reads it but can evaluate it nowhere
			}
			evaluationsAgree(t, table, m, row.Results)
		})
	}
}

func TestPackagingTableRequirements(t *testing.T) {
	table := readPackagingTable(t)
	for _, row := range table.Requirements {
		t.Run(row.Requirement, func(t *testing.T) {
			r, err := ParseRequirement(row.Requirement)
			if row.Invalid != "" {
				if err == nil {
					t.Fatalf("parsed as %+v; packaging rejects it (%s)", r, row.Invalid)
				}
				return
			}
			if err != nil {
				t.Fatalf("Go rejects it: %v", err)
			}
			got := fmt.Sprintf("name %q, extras %q, specifiers %q, url %q", r.Name, sortedCopy(r.Extras), specifierList(r.Specifier), r.URL)
			want := fmt.Sprintf("name %q, extras %q, specifiers %q, url %q", row.Name, sortedCopy(row.Extras), row.Specifiers, row.URL)
			if got != want {
				t.Errorf("Go reads %s\npackaging  %s", got, want)
			}
			if r.Marker.IsEmpty() != (row.Marker == "") {
				t.Errorf("marker %q, packaging's %q", r.Marker.String(), row.Marker)
			}
			if row.Marker != "" {
				evaluationsAgree(t, table, r.Marker, row.Results)
			}
		})
	}
}

// failsEverywhere: packaging raised in every environment.
func failsEverywhere(results map[string]any) bool {
	for _, r := range results {
		if s, ok := r.(string); !ok || !strings.HasPrefix(s, "error") {
			return false
		}
	}
	return len(results) > 0
}

func sortedCopy(s []string) []string {
	c := append([]string{}, s...)
	slices.Sort(c)
	return c
}

// specifierList is a Specifier's clauses, sorted as packaging lists them.
func specifierList(spec string) []string {
	if spec == "" {
		return []string{}
	}
	return sortedCopy(strings.Split(spec, ","))
}
