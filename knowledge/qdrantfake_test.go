package knowledge_test

import (
	"cmp"
	"context"
	"math"
	"net"
	"slices"
	"sync"
	"testing"

	"github.com/qdrant/go-client/qdrant"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/knowledge/indextest"
)

// TestQdrantIndexContractFake runs the contract suite on QdrantIndex
// talking gRPC to fakeQdrant, an in-process stand-in for the few calls it
// makes. The fake follows Qdrant's documented semantics (cosine vectors
// normalized on upsert, filters with must / must_not, match value / any,
// has_id, score_threshold keeping scores >= it); it checks the client's
// requests and their wiring, not Qdrant itself: TestQdrantIndexContract
// does that against a real server.
func TestQdrantIndexContractFake(t *testing.T) {
	indextest.Run(t, func(t *testing.T) indextest.Fixture {
		x, err := knowledge.NewQdrantIndex(t.Context(), startFakeQdrant(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Close() })
		return indextest.Fixture{Index: x, Place: indextest.Places()}
	})
}

// TestQdrantIndexUpsertBatches: a document of more chunks than one request
// carries is written whole, and indexing it again shorter trims the rest.
func TestQdrantIndexUpsertBatches(t *testing.T) {
	x, err := knowledge.NewQdrantIndex(t.Context(), startFakeQdrant(t))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	chunks := func(n int) []knowledge.IndexedChunk {
		out := make([]knowledge.IndexedChunk, n)
		for i := range out {
			out[i] = knowledge.IndexedChunk{ProjectID: 1, StoreID: 2, DocumentID: 3, Seq: i, Text: "t", Embedder: "e", Vector: []float32{1, float32(i)}}
		}
		return out
	}
	q := knowledge.Query{ProjectID: 1, StoreIDs: []int64{2}, Embedder: "e", Vector: []float32{1, 0}, TopK: 10_000, MinScore: -1}
	for _, n := range []int{300, 129, 5} {
		if err := x.Upsert(t.Context(), chunks(n)); err != nil {
			t.Fatal(err)
		}
		hits, err := x.Search(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != n {
			t.Errorf("after upserting %d chunks: %d hits", n, len(hits))
		}
	}
}

// startFakeQdrant serves a fakeQdrant on a local port until t ends and
// returns its URL.
func startFakeQdrant(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	f := &fakeQdrant{collections: map[string]*fakeCollection{}}
	qdrant.RegisterQdrantServer(srv, fakeHealth{})
	qdrant.RegisterCollectionsServer(srv, fakeCollections{f: f})
	qdrant.RegisterPointsServer(srv, fakePoints{f: f})
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return "http://" + lis.Addr().String()
}

type fakeQdrant struct {
	mu          sync.Mutex
	collections map[string]*fakeCollection
}

type fakeCollection struct {
	dim    int
	points map[string]*fakePoint // by UUID
}

type fakePoint struct {
	id      string
	vector  []float32 // normalized
	payload map[string]*qdrant.Value
}

func (f *fakeQdrant) collection(name string) (*fakeCollection, error) {
	c, ok := f.collections[name]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "Collection `%s` doesn't exist!", name)
	}
	return c, nil
}

type fakeHealth struct {
	qdrant.UnimplementedQdrantServer
}

func (fakeHealth) HealthCheck(context.Context, *qdrant.HealthCheckRequest) (*qdrant.HealthCheckReply, error) {
	return &qdrant.HealthCheckReply{Title: "fake qdrant", Version: "1.17.0"}, nil
}

type fakeCollections struct {
	qdrant.UnimplementedCollectionsServer
	f *fakeQdrant
}

func (s fakeCollections) List(context.Context, *qdrant.ListCollectionsRequest) (*qdrant.ListCollectionsResponse, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	out := &qdrant.ListCollectionsResponse{}
	for name := range s.f.collections {
		out.Collections = append(out.Collections, &qdrant.CollectionDescription{Name: name})
	}
	return out, nil
}

func (s fakeCollections) CollectionExists(_ context.Context, r *qdrant.CollectionExistsRequest) (*qdrant.CollectionExistsResponse, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	_, ok := s.f.collections[r.GetCollectionName()]
	return &qdrant.CollectionExistsResponse{Result: &qdrant.CollectionExists{Exists: ok}}, nil
}

func (s fakeCollections) Create(_ context.Context, r *qdrant.CreateCollection) (*qdrant.CollectionOperationResponse, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	if _, ok := s.f.collections[r.GetCollectionName()]; ok {
		return nil, status.Errorf(codes.AlreadyExists, "Collection `%s` already exists!", r.GetCollectionName())
	}
	p := r.GetVectorsConfig().GetParams()
	if p == nil || p.GetSize() == 0 || p.GetDistance() != qdrant.Distance_Cosine {
		return nil, status.Errorf(codes.InvalidArgument, "want one unnamed cosine vector, got %v", r.GetVectorsConfig())
	}
	s.f.collections[r.GetCollectionName()] = &fakeCollection{dim: int(p.GetSize()), points: map[string]*fakePoint{}}
	return &qdrant.CollectionOperationResponse{Result: true}, nil
}

func (s fakeCollections) Delete(_ context.Context, r *qdrant.DeleteCollection) (*qdrant.CollectionOperationResponse, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	_, ok := s.f.collections[r.GetCollectionName()]
	delete(s.f.collections, r.GetCollectionName())
	return &qdrant.CollectionOperationResponse{Result: ok}, nil
}

type fakePoints struct {
	qdrant.UnimplementedPointsServer
	f *fakeQdrant
}

var completed = &qdrant.PointsOperationResponse{Result: &qdrant.UpdateResult{Status: qdrant.UpdateStatus_Completed}}

func (s fakePoints) CreateFieldIndex(_ context.Context, r *qdrant.CreateFieldIndexCollection) (*qdrant.PointsOperationResponse, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	if _, err := s.f.collection(r.GetCollectionName()); err != nil {
		return nil, err
	}
	return completed, nil
}

func (s fakePoints) Upsert(_ context.Context, r *qdrant.UpsertPoints) (*qdrant.PointsOperationResponse, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	c, err := s.f.collection(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	if !r.GetWait() {
		return nil, status.Error(codes.InvalidArgument, "the fake wants wait=true")
	}
	for _, p := range r.GetPoints() {
		id := p.GetId().GetUuid()
		v := p.GetVectors().GetVector().GetDense().GetData()
		if id == "" || len(v) != c.dim {
			return nil, status.Errorf(codes.InvalidArgument, "point %v: want a UUID and %d dimensions, got %d", p.GetId(), c.dim, len(v))
		}
		c.points[id] = &fakePoint{id: id, vector: normalized(v), payload: p.GetPayload()}
	}
	return completed, nil
}

func (s fakePoints) Delete(_ context.Context, r *qdrant.DeletePoints) (*qdrant.PointsOperationResponse, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	c, err := s.f.collection(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	filter := r.GetPoints().GetFilter()
	if filter == nil {
		return nil, status.Error(codes.InvalidArgument, "the fake deletes by filter only")
	}
	for id, p := range c.points {
		ok, err := matches(filter, p)
		if err != nil {
			return nil, err
		}
		if ok {
			delete(c.points, id)
		}
	}
	return completed, nil
}

func (s fakePoints) Query(_ context.Context, r *qdrant.QueryPoints) (*qdrant.QueryResponse, error) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	c, err := s.f.collection(r.GetCollectionName())
	if err != nil {
		return nil, err
	}
	q := r.GetQuery().GetNearest().GetDense().GetData()
	if len(q) != c.dim {
		return nil, status.Errorf(codes.InvalidArgument, "want a dense nearest query of %d dimensions", c.dim)
	}
	if !r.GetWithPayload().GetEnable() {
		return nil, status.Error(codes.InvalidArgument, "the fake wants with_payload=true")
	}
	q = normalized(q)
	var out []*qdrant.ScoredPoint
	for _, p := range c.points {
		ok, err := matches(r.GetFilter(), p)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		var dot float32
		for i := range q {
			dot += q[i] * p.vector[i]
		}
		if r.ScoreThreshold != nil && dot < r.GetScoreThreshold() {
			continue
		}
		out = append(out, &qdrant.ScoredPoint{Id: qdrant.NewIDUUID(p.id), Payload: p.payload, Score: dot})
	}
	slices.SortFunc(out, func(a, b *qdrant.ScoredPoint) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Id.GetUuid(), b.Id.GetUuid()))
	})
	limit := 10
	if r.Limit != nil {
		limit = int(r.GetLimit())
	}
	return &qdrant.QueryResponse{Result: out[:min(limit, len(out))]}, nil
}

func normalized(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	if n == 0 {
		return out
	}
	n = math.Sqrt(n)
	for i, x := range v {
		out[i] = float32(float64(x) / n)
	}
	return out
}

// matches evaluates the parts of a filter QdrantIndex uses.
func matches(f *qdrant.Filter, p *fakePoint) (bool, error) {
	if f == nil {
		return true, nil
	}
	if len(f.GetShould()) > 0 || f.MinShould != nil {
		return false, status.Error(codes.Unimplemented, "the fake has no should")
	}
	for _, c := range f.GetMust() {
		ok, err := holds(c, p)
		if err != nil || !ok {
			return false, err
		}
	}
	for _, c := range f.GetMustNot() {
		ok, err := holds(c, p)
		if err != nil || ok {
			return false, err
		}
	}
	return true, nil
}

func holds(c *qdrant.Condition, p *fakePoint) (bool, error) {
	if h := c.GetHasId(); h != nil {
		return slices.ContainsFunc(h.GetHasId(), func(id *qdrant.PointId) bool { return id.GetUuid() == p.id }), nil
	}
	fc := c.GetField()
	if fc == nil || fc.GetMatch() == nil {
		return false, status.Errorf(codes.Unimplemented, "the fake has no condition %v", c)
	}
	v, ok := p.payload[fc.GetKey()]
	if !ok {
		return false, nil
	}
	switch m := fc.GetMatch().GetMatchValue().(type) {
	case *qdrant.Match_Integer:
		iv, isInt := v.GetKind().(*qdrant.Value_IntegerValue)
		return isInt && iv.IntegerValue == m.Integer, nil
	case *qdrant.Match_Integers:
		iv, isInt := v.GetKind().(*qdrant.Value_IntegerValue)
		return isInt && slices.Contains(m.Integers.GetIntegers(), iv.IntegerValue), nil
	case *qdrant.Match_Keyword:
		sv, isString := v.GetKind().(*qdrant.Value_StringValue)
		return isString && sv.StringValue == m.Keyword, nil
	}
	return false, status.Errorf(codes.Unimplemented, "the fake has no match %v", fc.GetMatch())
}
