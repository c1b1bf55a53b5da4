-- When this node first stored a received profile, kept across updates, so that the network's growth is
-- not moved to the month of a profile's latest edit.
ALTER TABLE remote_profiles ADD COLUMN first_received TEXT;
UPDATE remote_profiles SET first_received = received;
