// Package knowledge turns uploaded documents into searchable pieces: Extract
// pulls plain text out of a document, ChunkText cuts that text into
// overlapping, sentence-aligned chunks, and an Embedder maps each chunk to a
// vector whose Cosine similarity ranks chunks against a query.
//
// Everything here is offline and deterministic: HashEmbedder needs no model
// and no network, so the same text always yields the same vector.
package knowledge
