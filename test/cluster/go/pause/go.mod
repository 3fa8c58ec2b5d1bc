// Build recipe for the pause (pod sandbox) image of the real node: no dependencies, built
// static (CGO_ENABLED=0) so it runs alone in a one-layer image.
module tenant-operator/test/cluster/pause

go 1.24
