-- Find the signed checkpoint of a given tree size (receipts against a fixed
-- checkpoint, so that a pack rendered twice is the same bytes).
CREATE INDEX checkpoints_by_size ON checkpoints (size, seq);
