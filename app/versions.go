package app

import (
	"sort"
	"strconv"
	"strings"
)

// SortVersions sorts dotted numeric versions, oldest first (3.9.1 < 3.10.0).
func SortVersions(versions []string) {
	sort.Slice(versions, func(i, j int) bool { return VersionLess(versions[i], versions[j]) })
}

// VersionLess compares dotted numeric versions (3.9.1 < 3.10.0).
func VersionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, _ := strconv.Atoi(pa[i])
		nb, _ := strconv.Atoi(pb[i])
		if na != nb {
			return na < nb
		}
	}
	return len(pa) < len(pb)
}
