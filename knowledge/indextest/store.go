package indextest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/store"
)

var unique atomic.Int64

// StoreFixture returns a Fixture for an index whose chunks live in s (the
// StoreIndex): Place creates the project (in an organization of its own),
// the vector store and the document and adds the document to the store;
// RemoveDocument and RemoveStore delete the store's file and the store,
// as the app does before it calls the index.
func StoreFixture(s store.Store, index knowledge.Index) Fixture {
	r := &records{
		s:          s,
		projects:   map[string]*store.Project{},
		stores:     map[string]*store.VectorStore{},
		docs:       map[string]*store.Document{},
		storeUUIDs: map[int64]string{},
		docUUIDs:   map[int64]string{},
	}
	return Fixture{Index: index, Place: r.place, RemoveDocument: r.removeDocument, RemoveStore: r.removeStore}
}

// records makes the records of a StoreFixture's places.
type records struct {
	s          store.Store
	mu         sync.Mutex
	projects   map[string]*store.Project     // by project name
	stores     map[string]*store.VectorStore // by project and store name
	docs       map[string]*store.Document    // by project and document name
	storeUUIDs map[int64]string              // store UUIDs by ID
	docUUIDs   map[int64]string              // document UUIDs by ID
}

func (r *records) place(t testing.TB, project, storeName, document string) Place {
	t.Helper()
	ctx := t.Context()
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.projects[project]
	if !ok {
		n := unique.Add(1)
		o, err := r.s.CreateOrganization(ctx, fmt.Sprintf("indextest-org-%d", n))
		if err != nil {
			t.Fatal(err)
		}
		if p, err = r.s.CreateProject(ctx, o.ID, fmt.Sprintf("indextest-%s-%d", project, n)); err != nil {
			t.Fatal(err)
		}
		r.projects[project] = p
	}
	vs, ok := r.stores[project+"\x00"+storeName]
	if !ok {
		vs = &store.VectorStore{ProjectID: p.ID, Name: storeName}
		if err := r.s.CreateVectorStore(ctx, vs); err != nil {
			t.Fatal(err)
		}
		r.stores[project+"\x00"+storeName] = vs
		r.storeUUIDs[vs.ID] = vs.UUID
	}
	d, ok := r.docs[project+"\x00"+document]
	if !ok {
		sum := sha256.Sum256([]byte(project + "/" + document))
		d = &store.Document{ProjectID: p.ID, Name: document + ".txt", MIMEType: "text/plain", Size: 100, SHA256: hex.EncodeToString(sum[:]), Purpose: "assistants"}
		if err := r.s.CreateDocument(ctx, d); err != nil {
			t.Fatal(err)
		}
		r.docs[project+"\x00"+document] = d
		r.docUUIDs[d.ID] = d.UUID
	}
	if _, err := r.s.AddVectorStoreFile(ctx, p.ID, vs.UUID, d.UUID); err != nil {
		t.Fatal(err)
	}
	return Place{ProjectID: p.ID, StoreID: vs.ID, DocumentID: d.ID, Filename: d.Name}
}

func (r *records) removeDocument(t testing.TB, p Place) {
	t.Helper()
	r.mu.Lock()
	storeUUID, docUUID := r.storeUUIDs[p.StoreID], r.docUUIDs[p.DocumentID]
	r.mu.Unlock()
	if err := r.s.DeleteVectorStoreFile(t.Context(), p.ProjectID, storeUUID, docUUID); err != nil {
		t.Fatal(err)
	}
}

func (r *records) removeStore(t testing.TB, p Place) {
	t.Helper()
	r.mu.Lock()
	storeUUID := r.storeUUIDs[p.StoreID]
	r.mu.Unlock()
	if err := r.s.DeleteVectorStore(t.Context(), p.ProjectID, storeUUID); err != nil {
		t.Fatal(err)
	}
}
