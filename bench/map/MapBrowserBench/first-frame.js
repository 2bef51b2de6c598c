// Injected before the map page's own scripts by MapBrowserBench (never part of the site). It records, in milliseconds
// since navigation start (performance.now()):
//   firstFrame — Cesium's first rendered frame (the globe alone: the floor every page with a 3D view pays);
//   firstRoofs — the first frame whose pixels show the roof ramp's colours on more than 1 % of the view (the test's
//                isRoof, tests/SmartRegion.Web.Tests/Map/map-test-helpers.js, injected just before this script).
// Pixels are read in postRender, in the same task as the render (WebGL's buffer is still there), and only once the tileset
// has drawn something, so the probe costs nothing before the roofs can be on screen.
(() => {
  const probe = { firstFrame: null, firstRoofs: null, roofShare: null, framesChecked: 0, timeline: [] };
  const mark = (what, extra) => probe.timeline.push({ t: Math.round(performance.now()), what, ...extra });
  window.smartregionBench = probe;
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) mark('longtask', { ms: Math.round(e.duration), start: Math.round(e.startTime) }); })
      .observe({ type: 'longtask', buffered: true });
  } catch { /* no long-task timing in this browser */ }
  const poll = () => (window.Cesium ? mark('Cesium global') : setTimeout(poll, 20));
  poll();
  // Attached the moment the page publishes its scene (window.smartregionMap), before Cesium's first frame.
  let published;
  Object.defineProperty(window, 'smartregionMap', {
    configurable: true,
    get: () => published,
    set: (map) => { published = map; watch(map); },
  });
  const watch = (map) => {
    mark('scene published');
    const scene = map.viewer.scene;
    let tilesetSeen = null;
    scene.preRender.addEventListener(() => mark('preRender'));
    const copy = document.createElement('canvas');
    const remove = scene.postRender.addEventListener(() => {
      const now = performance.now();
      probe.firstFrame ??= now;
      const tileset = map.tileset;
      if (tileset && tileset !== tilesetSeen) {
        tilesetSeen = tileset;
        mark('tileset seen');
        tileset.tileLoad.addEventListener((tile) => mark('tileLoad', { url: tile.content?.url?.slice(-40) }));
        tileset.tileVisible.addEventListener(() => { if (!probe.firstVisible) { probe.firstVisible = 1; mark('tileVisible'); } });
        tileset.initialTilesLoaded.addEventListener(() => mark('initialTilesLoaded'));
      }
      const st = tileset?.statistics;
      mark('postRender', st ? { cmds: st.numberOfCommands, pending: st.numberOfPendingRequests, processing: st.numberOfTilesProcessing,
                                 ready: st.numberOfTilesWithContentReady, selected: st.selected } : {});
      if (!tileset || tileset.statistics.numberOfCommands === 0) { scene.requestRender(); return; }
      const source = scene.canvas;
      copy.width = source.width;
      copy.height = source.height;
      const ctx = copy.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(source, 0, 0);
      const d = ctx.getImageData(0, 0, copy.width, copy.height).data;
      let roof = 0;
      for (let i = 0; i < d.length; i += 4) if (window.smartregionTest.isRoof(d[i], d[i + 1], d[i + 2])) roof++;
      probe.framesChecked++;
      probe.roofShare = roof / (d.length / 4);
      if (probe.roofShare > 0.01) {
        probe.firstRoofs = now;
        remove();
      } else {
        scene.requestRender();   // render on demand: ask for the next frame while tiles stream in
      }
    });
    scene.requestRender();
  };
})();
