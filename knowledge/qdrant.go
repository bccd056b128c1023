package knowledge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/google/uuid"
	"github.com/qdrant/go-client/qdrant"
)

// DefaultQdrantPrefix begins the name of every collection a QdrantIndex
// makes, unless its URL sets another (?prefix=).
const DefaultQdrantPrefix = "parley_"

// qdrantBatch is how many points go to Qdrant in one upsert request, well
// under gRPC's message size limit for vectors of a few thousand dimensions.
const qdrantBatch = 128

// Payload keys of a point.
const (
	qdrantProject  = "project_id"
	qdrantStore    = "store_id"
	qdrantDocument = "document_id"
	qdrantSeq      = "seq"
	qdrantText     = "text"
	qdrantFilename = "filename"
	qdrantEmbedder = "embedder"
)

// qdrantNamespace names the UUIDs (version 5) of parley's points.
var qdrantNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://parley/knowledge/qdrant-point"))

// QdrantIndex is an Index kept in Qdrant, spoken to over gRPC.
//
// Each embedder has a collection of its own, named by the prefix, the
// embedder's name (characters Qdrant does not allow in names replaced by
// '_') and the vector length, e.g. "parley_hash-v1-512" (a name that ends
// in its length already is not given it again); the collection uses cosine
// distance and is created by the first Upsert of that embedder. The name
// always ends in the length, so two embedders whose names sanitize alike
// share a collection only when their vectors have the same length, and
// every point keeps its embedder in its payload, which Search filters on.
//
// A point is one chunk: its ID is a UUID derived from (project, store,
// document, seq), and its payload holds project_id, store_id, document_id,
// seq, text, filename and embedder, with integer indexes on the ids.
// Search filters by project and stores in Qdrant, so one project never
// sees another's chunks. Qdrant's search is approximate (HNSW) for large
// collections and exact for small ones.
//
// A QdrantIndex is safe for concurrent use; Close it when done.
type QdrantIndex struct {
	client *qdrant.Client
	prefix string

	mu    sync.Mutex
	known map[string]bool // collections known to exist
}

var _ Index = (*QdrantIndex)(nil)

// NewQdrantIndex connects to Qdrant's gRPC API at rawURL, e.g.
// "http://localhost:6334", "https://xyz.cloud.qdrant.io:6334" (TLS) or
// "localhost:6334"; the port defaults to 6334. The query may set api_key
// (otherwise the QDRANT_API_KEY environment variable is used, if set) and
// prefix, the beginning of the names of parley's collections
// (DefaultQdrantPrefix). It checks that the server answers before
// returning.
func NewQdrantIndex(ctx context.Context, rawURL string) (*QdrantIndex, error) {
	cfg, prefix, err := parseQdrantURL(rawURL)
	if err != nil {
		return nil, err
	}
	if cfg.APIKey == "" {
		cfg.APIKey = os.Getenv("QDRANT_API_KEY")
	}
	// The client's own version check logs through slog and waits up to a
	// minute without our context; the health check below does its job.
	cfg.SkipCompatibilityCheck = true
	client, err := qdrant.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("qdrant at %s: %w", cfg.Host, err)
	}
	if _, err := client.HealthCheck(ctx); err != nil {
		client.Close()
		return nil, fmt.Errorf("qdrant at %s:%d does not answer: %w", cfg.Host, cfg.Port, err)
	}
	return &QdrantIndex{client: client, prefix: prefix, known: map[string]bool{}}, nil
}

// parseQdrantURL reads NewQdrantIndex's URL.
func parseQdrantURL(rawURL string) (*qdrant.Config, string, error) {
	s := strings.TrimSpace(rawURL)
	if s == "" {
		return nil, "", errors.New("qdrant: empty URL")
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, "", fmt.Errorf("qdrant: bad URL %q: %w", rawURL, err)
	}
	cfg := &qdrant.Config{Host: u.Hostname(), Port: 6334}
	switch u.Scheme {
	case "http", "grpc":
	case "https", "grpcs":
		cfg.UseTLS = true
	default:
		return nil, "", fmt.Errorf("qdrant: bad URL %q: scheme must be http or https", rawURL)
	}
	if cfg.Host == "" {
		return nil, "", fmt.Errorf("qdrant: bad URL %q: no host", rawURL)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, "", fmt.Errorf("qdrant: bad URL %q: bad port", rawURL)
		}
		cfg.Port = n
	}
	if u.Path != "" && u.Path != "/" {
		return nil, "", fmt.Errorf("qdrant: bad URL %q: the gRPC API takes no path", rawURL)
	}
	q := u.Query()
	cfg.APIKey = q.Get("api_key")
	prefix := DefaultQdrantPrefix
	if q.Has("prefix") {
		prefix = q.Get("prefix")
		if prefix == "" || sanitizeCollection(prefix) != prefix {
			return nil, "", fmt.Errorf("qdrant: bad URL %q: prefix must be letters, digits, '-', '_' or '.'", rawURL)
		}
	}
	// The client dials Host:Port, so an IPv6 host needs its brackets back.
	if strings.Contains(cfg.Host, ":") {
		cfg.Host = "[" + cfg.Host + "]"
	}
	return cfg, prefix, nil
}

// Close closes the connections to Qdrant.
func (x *QdrantIndex) Close() error { return x.client.Close() }

// collection names the collection of an embedder's vectors of dim
// dimensions.
func (x *QdrantIndex) collection(embedder string, dim int) string {
	name := sanitizeCollection(embedder)
	suffix := "-" + strconv.Itoa(dim)
	if !strings.HasSuffix(name, suffix) {
		name += suffix
	}
	name = x.prefix + name
	// Qdrant limits names to 255 bytes; keep long ones unique with a hash.
	if len(name) > 200 {
		sum := sha256.Sum256([]byte(embedder))
		name = name[:160] + "_" + hex.EncodeToString(sum[:8]) + suffix
	}
	return name
}

// sanitizeCollection replaces the characters of s that are not ASCII
// letters, digits, '-', '_' or '.' with '_'.
func sanitizeCollection(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

// collections lists parley's collections (those with the prefix).
func (x *QdrantIndex) collections(ctx context.Context) ([]string, error) {
	all, err := x.client.ListCollections(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range all {
		if strings.HasPrefix(name, x.prefix) {
			out = append(out, name)
		}
	}
	return out, nil
}

// exists reports whether a collection exists, remembering those that do.
func (x *QdrantIndex) exists(ctx context.Context, name string) (bool, error) {
	x.mu.Lock()
	known := x.known[name]
	x.mu.Unlock()
	if known {
		return true, nil
	}
	ok, err := x.client.CollectionExists(ctx, name)
	if err != nil || !ok {
		return false, err
	}
	x.remember(name)
	return true, nil
}

func (x *QdrantIndex) remember(name string) {
	x.mu.Lock()
	x.known[name] = true
	x.mu.Unlock()
}

// forget makes the next use of a collection check that it exists, after
// an error that may mean it was deleted behind our back.
func (x *QdrantIndex) forget(name string) {
	x.mu.Lock()
	delete(x.known, name)
	x.mu.Unlock()
}

// ensureCollection creates a collection of dim-dimensional vectors with
// cosine distance and indexes on the payload's ids, unless it exists.
func (x *QdrantIndex) ensureCollection(ctx context.Context, name string, dim int) error {
	if ok, err := x.exists(ctx, name); err != nil || ok {
		return err
	}
	err := x.client.CreateCollection(ctx, &qdrant.CreateCollection{
		CollectionName: name,
		VectorsConfig: qdrant.NewVectorsConfig(&qdrant.VectorParams{
			Size:     uint64(dim),
			Distance: qdrant.Distance_Cosine,
		}),
	})
	if err != nil {
		// Another process (or goroutine) may have created it meanwhile.
		if ok, err2 := x.client.CollectionExists(ctx, name); err2 == nil && ok {
			x.remember(name)
			return nil
		}
		return err
	}
	indexes := []struct {
		field string
		typ   qdrant.FieldType
	}{
		{qdrantProject, qdrant.FieldType_FieldTypeInteger},
		{qdrantStore, qdrant.FieldType_FieldTypeInteger},
		{qdrantDocument, qdrant.FieldType_FieldTypeInteger},
		{qdrantEmbedder, qdrant.FieldType_FieldTypeKeyword},
	}
	for _, ix := range indexes {
		_, err := x.client.CreateFieldIndex(ctx, &qdrant.CreateFieldIndexCollection{
			CollectionName: name,
			Wait:           qdrant.PtrOf(true),
			FieldName:      ix.field,
			FieldType:      qdrant.PtrOf(ix.typ),
		})
		if err != nil {
			return err
		}
	}
	x.remember(name)
	return nil
}

// pointID is the ID of a chunk's point: a UUID (version 5) of its project,
// store, document and seq, so upserting a chunk again overwrites it.
func pointID(projectID, storeID, documentID int64, seq int) *qdrant.PointId {
	name := fmt.Sprintf("%d/%d/%d/%d", projectID, storeID, documentID, seq)
	return qdrant.NewIDUUID(uuid.NewSHA1(qdrantNamespace, []byte(name)).String())
}

// documentFilter matches the points of one document in one store.
func documentFilter(projectID, storeID, documentID int64) *qdrant.Filter {
	return &qdrant.Filter{Must: []*qdrant.Condition{
		qdrant.NewMatchInt(qdrantProject, projectID),
		qdrant.NewMatchInt(qdrantStore, storeID),
		qdrant.NewMatchInt(qdrantDocument, documentID),
	}}
}

// deleteWhere deletes the points matching filter from a collection and
// waits until they are gone.
func (x *QdrantIndex) deleteWhere(ctx context.Context, collection string, filter *qdrant.Filter) error {
	_, err := x.client.Delete(ctx, &qdrant.DeletePoints{
		CollectionName: collection,
		Wait:           qdrant.PtrOf(true),
		Points:         qdrant.NewPointsSelectorFilter(filter),
	})
	return err
}

// Upsert writes the chunks of one document as points of their embedder's
// collection (created if need be) and then deletes the document's other
// points: those with a higher seq in that collection, and all of them in
// parley's other collections. Writing before deleting keeps the document
// searchable while it is indexed again; a failure half way leaves points
// that upserting again replaces. Upserting no chunks does nothing.
func (x *QdrantIndex) Upsert(ctx context.Context, chunks []IndexedChunk) error {
	if len(chunks) == 0 {
		return nil
	}
	if err := checkSameDocument(chunks); err != nil {
		return err
	}
	first := chunks[0]
	name := x.collection(first.Embedder, len(first.Vector))
	if err := x.ensureCollection(ctx, name, len(first.Vector)); err != nil {
		return err
	}
	for start := 0; start < len(chunks); start += qdrantBatch {
		batch := chunks[start:min(start+qdrantBatch, len(chunks))]
		points := make([]*qdrant.PointStruct, len(batch))
		for i, c := range batch {
			points[i] = &qdrant.PointStruct{
				Id:      pointID(c.ProjectID, c.StoreID, c.DocumentID, c.Seq),
				Vectors: qdrant.NewVectorsDense(c.Vector),
				Payload: map[string]*qdrant.Value{
					qdrantProject:  qdrant.NewValueInt(c.ProjectID),
					qdrantStore:    qdrant.NewValueInt(c.StoreID),
					qdrantDocument: qdrant.NewValueInt(c.DocumentID),
					qdrantSeq:      qdrant.NewValueInt(int64(c.Seq)),
					qdrantText:     qdrant.NewValueString(strings.ToValidUTF8(c.Text, "\uFFFD")),
					qdrantFilename: qdrant.NewValueString(strings.ToValidUTF8(c.Filename, "\uFFFD")),
					qdrantEmbedder: qdrant.NewValueString(c.Embedder),
				},
			}
		}
		if _, err := x.client.Upsert(ctx, &qdrant.UpsertPoints{
			CollectionName: name,
			Wait:           qdrant.PtrOf(true),
			Points:         points,
		}); err != nil {
			x.forget(name)
			return err
		}
	}
	// The document's points other than those just written go: here, the
	// earlier chunks beyond the new last one; elsewhere, all of them.
	stale := documentFilter(first.ProjectID, first.StoreID, first.DocumentID)
	stale.MustNot = []*qdrant.Condition{qdrant.NewHasID(pointIDs(chunks)...)}
	if err := x.deleteWhere(ctx, name, stale); err != nil {
		return err
	}
	others, err := x.collections(ctx)
	if err != nil {
		return err
	}
	for _, other := range others {
		if other == name {
			continue
		}
		if err := x.deleteWhere(ctx, other, documentFilter(first.ProjectID, first.StoreID, first.DocumentID)); err != nil {
			return err
		}
	}
	return nil
}

// pointIDs returns the point IDs of chunks.
func pointIDs(chunks []IndexedChunk) []*qdrant.PointId {
	ids := make([]*qdrant.PointId, len(chunks))
	for i, c := range chunks {
		ids[i] = pointID(c.ProjectID, c.StoreID, c.DocumentID, c.Seq)
	}
	return ids
}

// DeleteDocument deletes a document's points from one store in every
// collection of parley's: the caller does not know the embedder.
func (x *QdrantIndex) DeleteDocument(ctx context.Context, projectID, storeID, documentID int64) error {
	return x.deleteEverywhere(ctx, documentFilter(projectID, storeID, documentID))
}

// DeleteStore deletes a store's points in every collection of parley's.
func (x *QdrantIndex) DeleteStore(ctx context.Context, projectID, storeID int64) error {
	return x.deleteEverywhere(ctx, &qdrant.Filter{Must: []*qdrant.Condition{
		qdrant.NewMatchInt(qdrantProject, projectID),
		qdrant.NewMatchInt(qdrantStore, storeID),
	}})
}

func (x *QdrantIndex) deleteEverywhere(ctx context.Context, filter *qdrant.Filter) error {
	names, err := x.collections(ctx)
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := x.deleteWhere(ctx, name, filter); err != nil {
			return err
		}
	}
	return nil
}

// Search queries the collection of the query's embedder and vector length
// for the points of its project and stores, with Qdrant's score threshold
// and limit; hits come best first, equal scores ordered by store, document
// and Seq as StoreIndex orders them. It returns an empty, non-nil slice
// when nothing matches, also when the collection does not exist yet.
func (x *QdrantIndex) Search(ctx context.Context, q Query) ([]Hit, error) {
	hits := []Hit{}
	if len(q.StoreIDs) == 0 || len(q.Vector) == 0 {
		return hits, nil
	}
	name := x.collection(q.Embedder, len(q.Vector))
	ok, err := x.exists(ctx, name)
	if err != nil || !ok {
		return hits, err
	}
	req := &qdrant.QueryPoints{
		CollectionName: name,
		Query:          qdrant.NewQueryDense(q.Vector),
		Filter: &qdrant.Filter{Must: []*qdrant.Condition{
			qdrant.NewMatchInt(qdrantProject, q.ProjectID),
			qdrant.NewMatchInts(qdrantStore, q.StoreIDs...),
			qdrant.NewMatchKeyword(qdrantEmbedder, q.Embedder),
		}},
		Limit:       qdrant.PtrOf(uint64(topK(q.TopK))),
		WithPayload: qdrant.NewWithPayload(true),
	}
	if q.MinScore > -1 {
		req.ScoreThreshold = qdrant.PtrOf(float32(q.MinScore))
	}
	points, err := x.client.Query(ctx, req)
	if err != nil {
		x.forget(name)
		return nil, err
	}
	for _, p := range points {
		score := float64(p.GetScore())
		if score < q.MinScore {
			continue
		}
		pl := p.GetPayload()
		hits = append(hits, Hit{
			StoreID:    pl[qdrantStore].GetIntegerValue(),
			DocumentID: pl[qdrantDocument].GetIntegerValue(),
			Seq:        int(pl[qdrantSeq].GetIntegerValue()),
			Text:       pl[qdrantText].GetStringValue(),
			Filename:   pl[qdrantFilename].GetStringValue(),
			Score:      score,
		})
	}
	sortHits(hits)
	return hits, nil
}
