package build

import (
	"github.com/warpdrive-buildpack/warpdrive/layers"
)

// explainSnapshotRestore explains the failures of unpacking the launch layers from
// their snapshots in the cache. An unreadable snapshot never gets here (it is
// a cache miss: the layer is built again); this is a snapshot whose files
// could not be written.
func explainSnapshotRestore(restore layers.SnapshotRestoreError) Message {
	return Message{Title: "Unable to unpack a layer from the cache",
		Detail: []string{"The snapshot of the " + restore.Name + " layer could not be unpacked into " + restore.Dir + ":",
			restore.Err.Error()},
		Fix: []string{"Free space on the disk that holds the build's layers (Docker's volumes, a pod's ephemeral storage) and build again:",
			"the failed build kept the cache, and the next one unpacks the snapshot again."}}
}
