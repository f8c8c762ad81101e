-- When the participant was sent the e-mail with their signing link.
ALTER TABLE participants ADD COLUMN notified_at TEXT;
