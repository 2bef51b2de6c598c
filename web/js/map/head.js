// The map page's first script, a classic one in <head> (no inline code: the CSP), run before the page's modules load.
// It says where CesiumJS finds its workers, assets and widgets, and starts at once the downloads the first 3D frame waits
// for: Cesium.js, the buildings' tileset.json and the tileset's first contents. Started from the modules instead, they
// waited for the module graph, the dictionary and the tileset.json (Cesium.js asked for ≈ 0.9 s into a visit, bench/map's
// timeline; docs/map.md#first-roofs). Without WebGL none of them is fetched: the page shows the report alone.
(() => {
  window.CESIUM_BASE_URL = '/vendor/cesium/';
  const TILESET_PATH = '/api/v1/3dtiles/buildings/tileset.json';

  let webgl = false;
  try {
    const canvas = document.createElement('canvas');
    webgl = !!(canvas.getContext('webgl2') || canvas.getContext('webgl'));
  } catch { /* no WebGL */ }
  window.smartregionEarly = { webgl };
  if (!webgl) return;

  // Cesium.js is downloaded now but run only when the page's module asks for it (loadCesium): run at once, its ≈ 1 s of
  // evaluation held the main thread before the modules had asked for their dictionary and the tileset.
  const preload = document.createElement('link');
  preload.rel = 'preload';
  preload.as = 'script';
  preload.href = `${window.CESIUM_BASE_URL}Cesium.js`;
  document.head.append(preload);

  // tileset.json (max-age=10) and its root's and children's GLBs (immutable) only warm the HTTP cache: the page and
  // Cesium ask for the same URLs and read them from there. Cesium appends asset.tilesetVersion as a `v` query to every
  // content URI: the same URL is asked for here, or the cache would miss. Failures are the page's to report.
  const tilesetUrl = new URL(TILESET_PATH, location.href);
  fetch(tilesetUrl, { credentials: 'same-origin', headers: { Accept: 'application/json, application/problem+json' } })
    .then((response) => (response.ok ? response.json() : null))
    .then((tileset) => {
      const root = tileset?.root;
      const version = tileset?.asset?.tilesetVersion;
      for (const tile of [root, ...(root?.children ?? [])]) {
        const uri = tile?.content?.uri;
        if (!uri) continue;
        const url = new URL(uri, tilesetUrl);
        if (version !== undefined) url.searchParams.set('v', version);
        fetch(url, { credentials: 'same-origin', priority: 'low' }).then((r) => r.arrayBuffer()).catch(() => {});
      }
    })
    .catch(() => {});
})();
