// Build recipe for external-dns (the crd source and the rfc2136 provider are used).
module tenant-operator/test/cluster/external-dns

go 1.26.1

require sigs.k8s.io/external-dns v0.21.0
