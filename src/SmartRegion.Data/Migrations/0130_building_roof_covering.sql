-- The roof's covering material, normalised from the source (BD TOPO materiaux_de_la_toiture / MAT_TOITS, OSM roof:material):
-- tiles, slates, metal, concrete, glass, other, two joined by '+'. Tiles and slates are laid only on a slope, which the roof
-- inference uses when a building has no ridge altitude. Buildings ingested before this column have it null until re-ingested
-- (their attributes keep the source's code).
ALTER TABLE region.building ADD COLUMN IF NOT EXISTS roof_covering text;
