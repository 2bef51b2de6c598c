// The shareable URL of the map: camera, selected building, date and hour of the sun, active layers, language.
//   /?building=123&cam=2.3571,48.9250,420,0,-45&date=2026-12-21&hour=9&layers=abc,def&lang=en
// Also understood: ?lat=&lon= (look there), ?commune=<INSEE code> (frame the commune).

const round = (v, d) => Math.round(v * 10 ** d) / 10 ** d;

export function readState(search = location.search) {
  const q = new URLSearchParams(search);
  const num = (name) => (q.has(name) && Number.isFinite(Number(q.get(name))) ? Number(q.get(name)) : null);
  const cam = (q.get('cam') ?? '').split(',').map(Number);
  const date = /^\d{4}-\d{2}-\d{2}$/.test(q.get('date') ?? '') ? q.get('date') : null;
  return {
    building: /^\d+$/.test(q.get('building') ?? '') ? Number(q.get('building')) : null,
    camera: cam.length === 5 && cam.every(Number.isFinite) ? { lon: cam[0], lat: cam[1], height: cam[2], heading: cam[3], pitch: cam[4] } : null,
    lookAt: num('lat') !== null && num('lon') !== null ? { lat: num('lat'), lon: num('lon') } : null,
    commune: /^[0-9AB]{5}$/.test(q.get('commune') ?? '') ? q.get('commune') : null,
    date,
    hour: num('hour') !== null && num('hour') >= 0 && num('hour') <= 24 ? num('hour') : null,
    layers: (q.get('layers') ?? '').split(',').filter((s) => /^[\w-]+$/.test(s)),
  };
}

/** Writes the state into the address bar (replaceState: the back button is not filled with camera moves). */
export function writeState({ building, camera, date, hour, layers }) {
  const q = new URLSearchParams(location.search);
  const set = (name, value) => (value === null || value === undefined || value === '' ? q.delete(name) : q.set(name, value));
  set('building', building);
  set('cam', camera ? [round(camera.lon, 6), round(camera.lat, 6), round(camera.height, 0), round(camera.heading, 1), round(camera.pitch, 1)].join(',') : null);
  set('date', date);
  set('hour', hour);
  set('layers', layers?.length ? layers.join(',') : null);
  for (const legacy of ['lat', 'lon', 'commune']) q.delete(legacy);
  const url = `${location.pathname}${q.toString() ? `?${q}` : ''}${location.hash}`;
  history.replaceState(null, '', url);
  return new URL(url, location.href).href;
}
