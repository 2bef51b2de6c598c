// Test helpers injected into the map page by MapPageTests (never part of the site): what the scene drew, as numbers.
(() => {
  const scene = () => window.smartregionMap;
  // The canvas as pixels: WebGL's buffer is read right after a render, in the same task.
  const pixels = () => {
    const s = scene();
    s.viewer.scene.requestRender();   // render on demand: without a request, render() draws nothing
    s.viewer.render();
    const source = s.viewer.scene.canvas;
    const copy = document.createElement('canvas');
    copy.width = source.width;
    copy.height = source.height;
    const ctx = copy.getContext('2d');
    ctx.drawImage(source, 0, 0);
    return ctx.getImageData(0, 0, copy.width, copy.height).data;
  };
  // Roof-ramp hues: saturated purples, magentas, reds, oranges and yellows (walls are grey, the ground beige-grey).
  const isRoof = (r, g, b) => {
    const max = Math.max(r, g, b), min = Math.min(r, g, b);
    if (max - min < 50) return false;
    let hue;
    if (max === r) hue = (60 * ((g - b) / (max - min)) + 360) % 360;
    else if (max === g) hue = 60 * ((b - r) / (max - min)) + 120;
    else hue = 60 * ((r - g) / (max - min)) + 240;
    return hue >= 260 || hue <= 65;
  };
  window.smartregionTest = {
    isRoof,   // also the benchmark's test (bench/map/MapBrowserBench/first-frame.js)
    roofPixelShare() {
      const d = pixels();
      let roof = 0;
      for (let i = 0; i < d.length; i += 4) if (isRoof(d[i], d[i + 1], d[i + 2])) roof++;
      return roof / (d.length / 4);
    },
    // Keeps the current image in the page, for difference().
    keep() {
      window.smartregionTest.kept = pixels();
    },
    difference() {
      const a = window.smartregionTest.kept;
      const b = pixels();
      let changed = 0;
      for (let i = 0; i < b.length; i += 4) {
        if (Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]) > 30) changed++;
      }
      return changed / (b.length / 4);
    },
  };
})();
