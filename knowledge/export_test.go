package knowledge

import "context"

// Exported for the external tests.

// DropQdrantCollections deletes every collection of x's prefix.
func DropQdrantCollections(ctx context.Context, x *QdrantIndex) error {
	names, err := x.collections(ctx)
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := x.client.DeleteCollection(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

// QdrantCollections lists the collections of x's prefix.
func QdrantCollections(ctx context.Context, x *QdrantIndex) ([]string, error) {
	return x.collections(ctx)
}
