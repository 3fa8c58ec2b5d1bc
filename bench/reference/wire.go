package main

// Hand-written protobuf messages for calc.proto's Add and NthPrimes, encoded with protowire
// (no protoc on this machine). Field numbers and types match the wire contract exactly:
//   AddRequest { int64 a = 1; int64 b = 2; }            AddResponse { int64 sum = 1; }
//   NthPrimesRequest { repeated uint64 n = 1; }         NthPrimesResponse { repeated uint64 nthPrimes = 1; }
// Repeated scalars are written packed (proto3's default) and read packed or unpacked.

import (
	"fmt"

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
)

type wireMessage interface {
	marshal() []byte
	unmarshal(b []byte) error
}

type addRequest struct{ A, B int64 }
type addResponse struct{ Sum int64 }
type nthPrimesRequest struct{ N []uint64 }
type nthPrimesResponse struct{ NthPrimes []uint64 }

func appendInt64(b []byte, field protowire.Number, v int64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, field, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

func appendPackedUint64(b []byte, field protowire.Number, values []uint64) []byte {
	if len(values) == 0 {
		return b
	}
	size := 0
	for _, v := range values {
		size += protowire.SizeVarint(v)
	}
	b = protowire.AppendTag(b, field, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(size))
	for _, v := range values {
		b = protowire.AppendVarint(b, v)
	}
	return b
}

// eachField calls visit for every field; visit returns the bytes it consumed or -1 to skip.
func eachField(b []byte, visit func(num protowire.Number, typ protowire.Type, b []byte) int) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		used := visit(num, typ, b)
		if used == -1 {
			used = protowire.ConsumeFieldValue(num, typ, b)
		}
		if used < 0 {
			return protowire.ParseError(used)
		}
		b = b[used:]
	}
	return nil
}

func readVarint(target *uint64) func(protowire.Number, protowire.Type, []byte) int {
	return func(_ protowire.Number, _ protowire.Type, b []byte) int {
		v, n := protowire.ConsumeVarint(b)
		*target = v
		return n
	}
}

func (m *addRequest) marshal() []byte {
	return appendInt64(appendInt64(nil, 1, m.A), 2, m.B)
}

func (m *addRequest) unmarshal(b []byte) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, b []byte) int {
		if typ != protowire.VarintType || (num != 1 && num != 2) {
			return -1
		}
		v, n := protowire.ConsumeVarint(b)
		if num == 1 {
			m.A = int64(v)
		} else {
			m.B = int64(v)
		}
		return n
	})
}

func (m *addResponse) marshal() []byte { return appendInt64(nil, 1, m.Sum) }

func (m *addResponse) unmarshal(b []byte) error {
	var v uint64
	err := eachField(b, func(num protowire.Number, typ protowire.Type, b []byte) int {
		if num != 1 || typ != protowire.VarintType {
			return -1
		}
		return readVarint(&v)(num, typ, b)
	})
	m.Sum = int64(v)
	return err
}

func unmarshalRepeatedUint64(b []byte, out *[]uint64) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, b []byte) int {
		if num != 1 {
			return -1
		}
		switch typ {
		case protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			*out = append(*out, v)
			return n
		case protowire.BytesType:
			packed, n := protowire.ConsumeBytes(b)
			for len(packed) > 0 {
				v, m := protowire.ConsumeVarint(packed)
				if m < 0 {
					return m
				}
				*out = append(*out, v)
				packed = packed[m:]
			}
			return n
		}
		return -1
	})
}

func (m *nthPrimesRequest) marshal() []byte          { return appendPackedUint64(nil, 1, m.N) }
func (m *nthPrimesRequest) unmarshal(b []byte) error { return unmarshalRepeatedUint64(b, &m.N) }
func (m *nthPrimesResponse) marshal() []byte         { return appendPackedUint64(nil, 1, m.NthPrimes) }
func (m *nthPrimesResponse) unmarshal(b []byte) error {
	return unmarshalRepeatedUint64(b, &m.NthPrimes)
}

// wireCodec replaces grpc's "proto" codec (same content-subtype, so the same bytes and
// headers on the wire) with one that knows only the messages above.
type wireCodec struct{}

func (wireCodec) Name() string { return "proto" }

func (wireCodec) Marshal(v any) (mem.BufferSlice, error) {
	m, ok := v.(wireMessage)
	if !ok {
		return nil, fmt.Errorf("wireCodec: cannot marshal %T", v)
	}
	return mem.BufferSlice{mem.SliceBuffer(m.marshal())}, nil
}

func (wireCodec) Unmarshal(data mem.BufferSlice, v any) error {
	m, ok := v.(wireMessage)
	if !ok {
		return fmt.Errorf("wireCodec: cannot unmarshal into %T", v)
	}
	return m.unmarshal(data.Materialize())
}

func init() { encoding.RegisterCodecV2(wireCodec{}) }
