package main

// Hand-written protobuf messages for user.proto and counter.proto (service/proto), encoded
// with protowire like wire.go. Field numbers and types match the wire contract exactly:
//   Name { string first = 1; string last = 2; }
//   User { string id = 1; int32 age = 2; Name name = 3; string email = 4; string phone = 5;
//          string address = 6; }
//   Status { StatusCode code = 1; string msg = 2; }       AgeRange { int32 from = 1; int32 to_included = 2; }
//   CreateReq { User user = 1; }                          CreateResp/GetByEmailResp { Status status = 1; User user = 2; }
//   ListReq { }  GetByEmailReq { string email = 1; }  SearchNameReq { string query = 1; }
//   SearchAgeReq { AgeRange ageRange = 1; }               SearchResp { Status status = 1; repeated User users = 2; }
//   counter.v1 NextRequest { }                            NextResponse { uint64 value = 1; }
// Sizes are computed before appending (as generated code does), so a response is one buffer.

import (
	"google.golang.org/protobuf/encoding/protowire"
)

// Status codes of user.StatusCode.
const (
	statusFailed         = 0
	statusInvalidQuery   = 2
	statusPartialSuccess = 3
	statusSuccess        = 4
)

type user struct {
	ID, First, Last, Email, Phone, Address string
	Age                                    int32
}

type userStatus struct {
	Code int32
	Msg  string
}

type ageRange struct{ From, ToIncluded int32 }

type createReq struct{ User *user }
type userResp struct { // CreateResp and GetByEmailResp share this shape
	Status userStatus
	User   *user
}
type listReq struct{}
type getByEmailReq struct{ Email string }
type searchNameReq struct{ Query string }
type searchAgeReq struct{ AgeRange *ageRange }
type searchResp struct {
	Status userStatus
	Users  []*user
}
type nextRequest struct{}
type nextResponse struct{ Value uint64 }

func sizeString(field protowire.Number, s string) int {
	if s == "" {
		return 0
	}
	return protowire.SizeTag(field) + protowire.SizeBytes(len(s))
}

func appendString(b []byte, field protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendString(b, s)
}

// int32 is encoded sign-extended to 64 bits, as protobuf does.
func sizeInt32(field protowire.Number, v int32) int {
	if v == 0 {
		return 0
	}
	return protowire.SizeTag(field) + protowire.SizeVarint(uint64(int64(v)))
}

func appendInt32(b []byte, field protowire.Number, v int32) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, field, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(int64(v)))
}

func sizeMessage(field protowire.Number, size int) int {
	return protowire.SizeTag(field) + protowire.SizeBytes(size)
}

func appendMessageHeader(b []byte, field protowire.Number, size int) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendVarint(b, uint64(size))
}

func (n *user) nameSize() int { return sizeString(1, n.First) + sizeString(2, n.Last) }

func (u *user) size() int {
	size := sizeString(1, u.ID) + sizeInt32(2, u.Age) + sizeString(4, u.Email) +
		sizeString(5, u.Phone) + sizeString(6, u.Address)
	if u.First != "" || u.Last != "" {
		size += sizeMessage(3, u.nameSize())
	}
	return size
}

func (u *user) appendTo(b []byte) []byte {
	b = appendString(b, 1, u.ID)
	b = appendInt32(b, 2, u.Age)
	if u.First != "" || u.Last != "" {
		b = appendMessageHeader(b, 3, u.nameSize())
		b = appendString(b, 1, u.First)
		b = appendString(b, 2, u.Last)
	}
	b = appendString(b, 4, u.Email)
	b = appendString(b, 5, u.Phone)
	return appendString(b, 6, u.Address)
}

func (s *userStatus) size() int { return sizeInt32(1, s.Code) + sizeString(2, s.Msg) }

func (s *userStatus) appendTo(b []byte) []byte {
	return appendString(appendInt32(b, 1, s.Code), 2, s.Msg)
}

func (m *userResp) marshal() []byte {
	size := sizeMessage(1, m.Status.size())
	if m.User != nil {
		size += sizeMessage(2, m.User.size())
	}
	b := make([]byte, 0, size)
	b = m.Status.appendTo(appendMessageHeader(b, 1, m.Status.size()))
	if m.User != nil {
		b = m.User.appendTo(appendMessageHeader(b, 2, m.User.size()))
	}
	return b
}

func (m *searchResp) marshal() []byte {
	sizes := make([]int, len(m.Users))
	size := sizeMessage(1, m.Status.size())
	for i, u := range m.Users {
		sizes[i] = u.size()
		size += sizeMessage(2, sizes[i])
	}
	b := make([]byte, 0, size)
	b = m.Status.appendTo(appendMessageHeader(b, 1, m.Status.size()))
	for i, u := range m.Users {
		b = u.appendTo(appendMessageHeader(b, 2, sizes[i]))
	}
	return b
}

func (m *nextResponse) marshal() []byte {
	if m.Value == 0 {
		return nil
	}
	b := protowire.AppendTag(nil, 1, protowire.VarintType)
	return protowire.AppendVarint(b, m.Value)
}

// readString and readInt32 decode one field's value for eachField's visitor.
func readString(target *string, typ protowire.Type, b []byte) int {
	if typ != protowire.BytesType {
		return -1
	}
	v, n := protowire.ConsumeString(b)
	*target = v
	return n
}

func readInt32(target *int32, typ protowire.Type, b []byte) int {
	if typ != protowire.VarintType {
		return -1
	}
	v, n := protowire.ConsumeVarint(b)
	*target = int32(v)
	return n
}

// readMessage hands a length-delimited field's bytes to decode.
func readMessage(typ protowire.Type, b []byte, decode func([]byte) error) int {
	if typ != protowire.BytesType {
		return -1
	}
	v, n := protowire.ConsumeBytes(b)
	if n < 0 {
		return n
	}
	if decode(v) != nil {
		return -2 // not -1, which eachField reads as "skip": protowire's "invalid field" code
	}
	return n
}

func (u *user) unmarshal(b []byte) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, b []byte) int {
		switch num {
		case 1:
			return readString(&u.ID, typ, b)
		case 2:
			return readInt32(&u.Age, typ, b)
		case 3:
			return readMessage(typ, b, func(name []byte) error {
				return eachField(name, func(num protowire.Number, typ protowire.Type, b []byte) int {
					switch num {
					case 1:
						return readString(&u.First, typ, b)
					case 2:
						return readString(&u.Last, typ, b)
					}
					return -1
				})
			})
		case 4:
			return readString(&u.Email, typ, b)
		case 5:
			return readString(&u.Phone, typ, b)
		case 6:
			return readString(&u.Address, typ, b)
		}
		return -1
	})
}

func (m *createReq) unmarshal(b []byte) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, b []byte) int {
		if num != 1 {
			return -1
		}
		m.User = &user{}
		return readMessage(typ, b, m.User.unmarshal)
	})
}

func (m *listReq) unmarshal(b []byte) error { return eachField(b, skipAll) }

func (m *getByEmailReq) unmarshal(b []byte) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, b []byte) int {
		if num != 1 {
			return -1
		}
		return readString(&m.Email, typ, b)
	})
}

func (m *searchNameReq) unmarshal(b []byte) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, b []byte) int {
		if num != 1 {
			return -1
		}
		return readString(&m.Query, typ, b)
	})
}

func (m *searchAgeReq) unmarshal(b []byte) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, b []byte) int {
		if num != 1 {
			return -1
		}
		m.AgeRange = &ageRange{}
		return readMessage(typ, b, func(r []byte) error {
			return eachField(r, func(num protowire.Number, typ protowire.Type, b []byte) int {
				switch num {
				case 1:
					return readInt32(&m.AgeRange.From, typ, b)
				case 2:
					return readInt32(&m.AgeRange.ToIncluded, typ, b)
				}
				return -1
			})
		})
	})
}

func (m *nextRequest) unmarshal(b []byte) error { return eachField(b, skipAll) }

func skipAll(protowire.Number, protowire.Type, []byte) int { return -1 }

// The server only decodes requests and encodes responses; the other halves exist so every
// message satisfies wireMessage (they are never called by the server).
func (m *createReq) marshal() []byte     { return nil }
func (m *listReq) marshal() []byte       { return nil }
func (m *getByEmailReq) marshal() []byte { return nil }
func (m *searchNameReq) marshal() []byte { return nil }
func (m *searchAgeReq) marshal() []byte  { return nil }
func (m *nextRequest) marshal() []byte   { return nil }
func (m *userResp) unmarshal([]byte) error {
	return errNotDecodable
}
func (m *searchResp) unmarshal([]byte) error   { return errNotDecodable }
func (m *nextResponse) unmarshal([]byte) error { return errNotDecodable }
