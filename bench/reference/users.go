package main

// user.UserService in memory, the way the old Go user directory kept its users (nothing is
// durable): a map by email plus two sorted slices, one in email order (List, SearchName) and
// one in (age, email) order (SearchAge). Same behaviour as the wire contract (spec section 3):
// business outcomes in Status with gRPC OK, List and SearchName in email order, SearchName
// ignoring case and diacritics, results capped at 1,000 with PARTIAL_SUCCESS.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
	"google.golang.org/grpc"
)

const (
	resultLimit = 1000
	maxAge      = 150
)

var errNotDecodable = errors.New("the reference server never decodes this message")

// The service's email check (service/users/validate.ts): one @, no spaces, a dot in the domain.
var emailPattern = regexp.MustCompile(`^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$`)

// fold lower-cases and strips combining marks ("Ångström" -> "angstrom"); ASCII skips the
// Unicode work.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	stripped, _, err := transform.String(
		transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
	if err != nil {
		stripped = s
	}
	return strings.ToLower(stripped)
}

type entry struct {
	user
	foldedFirst, foldedLast string
}

type directory struct {
	mu      sync.RWMutex
	byEmail map[string]*entry
	ids     map[string]bool
	inEmail []*entry // sorted by email
	inAge   []*entry // sorted by age, then email
}

func newDirectory() *directory {
	return &directory{byEmail: map[string]*entry{}, ids: map[string]bool{}}
}

func ageLess(a, b *entry) bool {
	return a.Age < b.Age || (a.Age == b.Age && a.Email < b.Email)
}

func insertSorted(list []*entry, e *entry, less func(a, b *entry) bool) []*entry {
	i := sort.Search(len(list), func(i int) bool { return less(e, list[i]) })
	list = append(list, nil)
	copy(list[i+1:], list[i:])
	list[i] = e
	return list
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func invalid(msg string) userStatus { return userStatus{Code: statusInvalidQuery, Msg: msg} }

func checkEmail(raw string) (string, *userStatus) {
	email := strings.ToLower(strings.TrimSpace(raw))
	switch {
	case email == "":
		s := invalid("email is required")
		return "", &s
	case len(email) > 254:
		s := invalid("email is longer than 254 characters")
		return "", &s
	case !emailPattern.MatchString(email):
		s := invalid("malformed email: " + strconv.Quote(raw))
		return "", &s
	}
	return email, nil
}

func checkAge(v int32, field string) *userStatus {
	if v < 0 || v > maxAge {
		s := invalid(fmt.Sprintf("%s must be a whole number from 0 to %d, got %d", field, maxAge, v))
		return &s
	}
	return nil
}

func (d *directory) Create(_ context.Context, req *createReq) (*userResp, error) {
	if req.User == nil {
		return &userResp{Status: invalid("user is required")}, nil
	}
	in := *req.User
	email, bad := checkEmail(in.Email)
	if bad != nil {
		return &userResp{Status: *bad}, nil
	}
	if bad := checkAge(in.Age, "age"); bad != nil {
		return &userResp{Status: *bad}, nil
	}
	u := user{
		ID: strings.TrimSpace(in.ID), Email: email, Age: in.Age,
		First: strings.TrimSpace(in.First), Last: strings.TrimSpace(in.Last),
		Phone: strings.TrimSpace(in.Phone), Address: strings.TrimSpace(in.Address),
	}
	if u.ID == "" {
		u.ID = newID()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.byEmail[u.Email] != nil {
		return &userResp{Status: userStatus{Code: statusFailed,
			Msg: "a user with email " + u.Email + " already exists"}}, nil
	}
	if d.ids[u.ID] {
		return &userResp{Status: userStatus{Code: statusFailed,
			Msg: "a user with id " + u.ID + " already exists"}}, nil
	}
	e := &entry{user: u, foldedFirst: fold(u.First), foldedLast: fold(u.Last)}
	d.byEmail[u.Email] = e
	d.ids[u.ID] = true
	d.inEmail = insertSorted(d.inEmail, e, func(a, b *entry) bool { return a.Email < b.Email })
	d.inAge = insertSorted(d.inAge, e, ageLess)
	return &userResp{Status: userStatus{Code: statusSuccess, Msg: "created user " + u.ID}, User: &e.user}, nil
}

// capped answers up to resultLimit users, PARTIAL_SUCCESS when more matched.
func capped(found []*user, more bool, what string) *searchResp {
	if more {
		return &searchResp{Status: userStatus{Code: statusPartialSuccess, Msg: fmt.Sprintf(
			"more than %d %s: showing the first %d; narrow the query to see the rest",
			resultLimit, what, resultLimit)}, Users: found}
	}
	return &searchResp{Status: userStatus{Code: statusSuccess, Msg: strconv.Itoa(len(found)) + " " + what}, Users: found}
}

// collect takes up to resultLimit entries that pass keep (nil keeps all); more reports a next one.
func collect(list []*entry, keep func(*entry) bool) (found []*user, more bool) {
	for _, e := range list {
		if keep != nil && !keep(e) {
			continue
		}
		if len(found) == resultLimit {
			return found, true
		}
		found = append(found, &e.user)
	}
	return found, false
}

func (d *directory) List(_ context.Context, _ *listReq) (*searchResp, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	found, more := collect(d.inEmail, nil)
	return capped(found, more, "users"), nil
}

func (d *directory) GetByEmail(_ context.Context, req *getByEmailReq) (*userResp, error) {
	email, bad := checkEmail(req.Email)
	if bad != nil {
		return &userResp{Status: *bad}, nil
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	e := d.byEmail[email]
	if e == nil {
		return &userResp{Status: userStatus{Code: statusFailed, Msg: "no user with email " + email}}, nil
	}
	return &userResp{Status: userStatus{Code: statusSuccess, Msg: "found user " + e.ID}, User: &e.user}, nil
}

func (d *directory) SearchName(_ context.Context, req *searchNameReq) (*searchResp, error) {
	query := strings.TrimSpace(req.Query)
	if utf8.RuneCountInString(query) > 200 {
		return &searchResp{Status: invalid("query is longer than 200 characters")}, nil
	}
	needle := fold(query)
	d.mu.RLock()
	defer d.mu.RUnlock()
	found, more := collect(d.inEmail, func(e *entry) bool {
		return strings.Contains(e.foldedFirst, needle) || strings.Contains(e.foldedLast, needle)
	})
	return capped(found, more, "users whose name contains "+strconv.Quote(query)), nil
}

func (d *directory) SearchAge(_ context.Context, req *searchAgeReq) (*searchResp, error) {
	if req.AgeRange == nil {
		return &searchResp{Status: invalid("ageRange is required")}, nil
	}
	from, to := req.AgeRange.From, req.AgeRange.ToIncluded
	if bad := checkAge(from, "ageRange.from"); bad != nil {
		return &searchResp{Status: *bad}, nil
	}
	if bad := checkAge(to, "ageRange.to_included"); bad != nil {
		return &searchResp{Status: *bad}, nil
	}
	if from > to {
		return &searchResp{Status: invalid(fmt.Sprintf(
			"ageRange.from (%d) is greater than ageRange.to_included (%d)", from, to))}, nil
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	start := sort.Search(len(d.inAge), func(i int) bool { return d.inAge[i].Age >= from })
	end := sort.Search(len(d.inAge), func(i int) bool { return d.inAge[i].Age > to })
	found, more := collect(d.inAge[start:end], nil)
	return capped(found, more, fmt.Sprintf("users aged %d to %d", from, to)), nil
}

func userServiceDesc(d *directory) *grpc.ServiceDesc {
	return &grpc.ServiceDesc{
		ServiceName: "user.UserService",
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{
			{MethodName: "Create", Handler: unaryHandler("/user.UserService/Create", d.Create)},
			{MethodName: "List", Handler: unaryHandler("/user.UserService/List", d.List)},
			{MethodName: "GetByEmail", Handler: unaryHandler("/user.UserService/GetByEmail", d.GetByEmail)},
			{MethodName: "SearchName", Handler: unaryHandler("/user.UserService/SearchName", d.SearchName)},
			{MethodName: "SearchAge", Handler: unaryHandler("/user.UserService/SearchAge", d.SearchAge)},
		},
		Metadata: "user.proto",
	}
}

// counterServiceDesc is counter.v1.Counter/Next over the same in-memory counter as /getCounter.
func counterServiceDesc() *grpc.ServiceDesc {
	next := func(_ context.Context, _ *nextRequest) (*nextResponse, error) {
		return &nextResponse{Value: counter.Add(1)}, nil
	}
	return &grpc.ServiceDesc{
		ServiceName: "counter.v1.Counter",
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{
			{MethodName: "Next", Handler: unaryHandler("/counter.v1.Counter/Next", next)},
		},
		Metadata: "counter.proto",
	}
}
