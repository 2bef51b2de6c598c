// Loads CesiumJS (web/vendor/cesium, copied from the pinned npm package) only when the browser can draw WebGL, so that
// the search and the report work without it. /js/map/head.js, the page's first script, has set CESIUM_BASE_URL, checked
// WebGL and started Cesium.js's download: the script added here runs what the browser already has.

/** True when a WebGL context could be created (WebGL 2, else 1). */
export function hasWebGl() {
  if (typeof window.smartregionEarly?.webgl === 'boolean') return window.smartregionEarly.webgl;
  try {
    const canvas = document.createElement('canvas');
    return !!(canvas.getContext('webgl2') || canvas.getContext('webgl'));
  } catch {
    return false;
  }
}

let loading = null;

/** Resolves to the Cesium global once /vendor/cesium/Cesium.js has run. */
export function loadCesium() {
  if (globalThis.Cesium) return Promise.resolve(globalThis.Cesium);
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/vendor/cesium/Cesium.js';
    script.onload = () => (globalThis.Cesium ? resolve(globalThis.Cesium) : reject(new Error('Cesium.js did not define Cesium')));
    script.onerror = () => reject(new Error('Cesium.js could not be loaded'));
    document.head.append(script);
  });
  return loading;
}
