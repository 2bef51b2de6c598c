-- The barometer's commune page lists a commune's buildings of largest potential; the buildings placed by their nearest
-- address (outside every loaded boundary) are found from the commune's addresses, so those are read by code.
CREATE INDEX IF NOT EXISTS address_commune_code_idx ON region.address (commune_code);
