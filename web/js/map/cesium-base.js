// Where CesiumJS finds its workers, assets and widgets: set before Cesium.js loads (a classic script, no inline code).
window.CESIUM_BASE_URL = '/vendor/cesium/';
