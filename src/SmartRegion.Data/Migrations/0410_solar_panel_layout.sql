-- Solar reports stored without their modules' JSON (issue 14, speed): a module was ~300 bytes of the stored report
-- (its outline and centre in WGS84 text), most of its 19.6 kB on the synthetic city, and PostgreSQL's COPY of the results
-- (json_in's syntax check, LZ4, TOAST) was the largest share of the server's CPU in a run. The report is now stored with
-- "panels":[] and the modules as numbers in panel_layout; the API writes the modules' objects into it when it serves it
-- (SmartRegion.Rooftop.ReportDocument.CompleteStored): the same bytes, made by the same writer from the same doubles.
-- Layout, per face with modules: face_no, n, the face frame (origin x, y, z, azimuth, tilt, the u and downslope plan axes,
-- cos and sin of the tilt), the module's extent along u and v, a rack's rise, portrait (1/0), then the n modules' corners
-- (u, v), then their n years in kWh AC (SmartRegion.Rooftop.ReportPanels). Null when the report holds its panels (results
-- computed before this column) or the building has no module.
ALTER TABLE solar.building_result ADD COLUMN panel_layout double precision[];
COMMENT ON COLUMN solar.building_result.panel_layout IS
    'The building''s modules as numbers (SmartRegion.Rooftop.ReportPanels), written into report''s empty "panels" when served; null when report holds them or there are none';
ALTER TABLE solar.building_result ALTER COLUMN panel_layout SET STATISTICS 0;
DO $$ BEGIN
    ALTER TABLE solar.building_result ALTER COLUMN panel_layout SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN RAISE NOTICE 'lz4 compression unavailable on this server: panel layouts keep pglz';
END $$;
