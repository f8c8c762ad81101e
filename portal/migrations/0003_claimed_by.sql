-- Which portal instance claimed a server signature last (several instances share a database).
ALTER TABLE jobs ADD COLUMN claimed_by TEXT;
