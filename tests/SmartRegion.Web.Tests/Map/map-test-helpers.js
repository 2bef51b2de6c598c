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
    // Pixels of a hue range (degrees) and saturated (channels 60 apart or more): the obstacles' teal is 172-192.
    countHue(minHue, maxHue) {
      const d = pixels();
      let count = 0;
      for (let i = 0; i < d.length; i += 4) {
        const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
        const max = Math.max(r, g, b), min = Math.min(r, g, b);
        if (max - min < 60) continue;
        let hue;
        if (max === r) hue = (60 * ((g - b) / (max - min)) + 360) % 360;
        else if (max === g) hue = 60 * ((b - r) / (max - min)) + 120;
        else hue = 60 * ((r - g) / (max - min)) + 240;
        if (hue >= minHue && hue <= maxHue) count++;
      }
      return count;
    },
    // Where a point on a roof (NGF-IGN69 altitude) is drawn, in page pixels: the tiles stand lowered by the region's ground.
    pagePoint(lon, lat, altitudeM) {
      const s = scene();
      const p = s.toWindow(lon, lat, altitudeM - s.referenceGroundAltitudeM);
      const box = s.viewer.scene.canvas.getBoundingClientRect();
      return p ? { x: box.left + p.x, y: box.top + p.y, width: box.width, height: box.height, left: box.left, top: box.top } : null;
    },
    // The building a click finds where a roof point is drawn (a tile's feature or a panel on it), or null.
    pickedBuilding(lon, lat, altitudeM) {
      const s = scene();
      const p = s.toWindow(lon, lat, altitudeM - s.referenceGroundAltitudeM);
      return p ? s.pickRoofAt(p).buildingId : null;
    },
    // Each select of the obstacles whose text does not fit before its arrow, or that sticks out of its obstacle's card.
    crampedSelects() {
      const bad = [];
      const ctx = document.createElement('canvas').getContext('2d');
      for (const select of document.querySelectorAll('#correct-obstacles select')) {
        const style = getComputedStyle(select);
        ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const text = select.selectedOptions[0]?.textContent ?? '';
        const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        const card = select.closest('li').getBoundingClientRect();
        const r = select.getBoundingClientRect();
        if (ctx.measureText(text).width > room) bad.push(`${select.id}: "${text}" needs ${Math.ceil(ctx.measureText(text).width)} px, has ${Math.floor(room)}`);
        if (r.right > card.right + 0.5 || r.left < card.left - 0.5) bad.push(`${select.id}: ${Math.round(r.left)}-${Math.round(r.right)} px outside its card ${Math.round(card.left)}-${Math.round(card.right)}`);
      }
      return bad;
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
