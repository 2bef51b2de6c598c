// Date and hour of the sun, with presets (21 June, 21 December, the equinox): the scene's sun and shadows follow, so a
// resident sees when their roof is shaded. Times are the region's legal time (Europe/Paris), summer time included.
import { t, formatNumber } from '/js/common/i18n.js';

export const TIME_ZONE = 'Europe/Paris';

/** The UTC instant of a local date (YYYY-MM-DD) and hour (decimal) in Europe/Paris. */
export function localToUtc(dateText, hour) {
  const [y, m, d] = dateText.split('-').map(Number);
  const h = Math.floor(hour);
  const min = Math.round((hour - h) * 60);
  // First guess with offset 0, then correct by the zone's offset at that instant (twice, for the DST edges).
  let utc = Date.UTC(y, m - 1, d, h, min);
  for (let i = 0; i < 2; i++) {
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(utc));
    const get = (type) => Number(parts.find((p) => p.type === type).value);
    const shown = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
    utc += Date.UTC(y, m - 1, d, h, min) - shown;
  }
  return new Date(utc);
}

export const hourText = (hour) => `${String(Math.floor(hour)).padStart(2, '0')}:${String(Math.round((hour % 1) * 60)).padStart(2, '0')}`;

/**
 * Wires the sun controls. onChange({ date, hour, instant, shadows }) on every change.
 * elements: { date, hour, hourOutput, presets (buttons with data-date="MM-DD"), shadows (checkbox), elevation (output) }
 */
export function setUpSun(elements, initial, onChange) {
  const year = new Date().getFullYear();
  elements.date.value = initial.date ?? `${year}-06-21`;
  elements.hour.value = String(initial.hour ?? 12);
  elements.shadows.checked = initial.date !== null || initial.hour !== null;
  const fire = () => {
    const hour = Number(elements.hour.value);
    elements.hourOutput.textContent = hourText(hour);
    elements.hour.setAttribute('aria-valuetext', hourText(hour));
    onChange({ date: elements.date.value, hour, instant: localToUtc(elements.date.value, hour), shadows: elements.shadows.checked });
  };
  elements.date.addEventListener('change', () => { elements.shadows.checked = true; fire(); });
  elements.hour.addEventListener('input', () => { elements.shadows.checked = true; fire(); });
  elements.shadows.addEventListener('change', fire);
  for (const button of elements.presets) {
    button.addEventListener('click', () => {
      const y = (elements.date.value || `${year}`).slice(0, 4);
      elements.date.value = `${y}-${button.dataset.date}`;
      if (button.dataset.hour) elements.hour.value = button.dataset.hour;
      elements.shadows.checked = true;
      fire();
    });
  }
  fire();
}

/** "Sun 14° above the horizon" / "the sun is down". */
export function elevationText(deg) {
  return deg <= 0 ? t('map.sun.down') : t('map.sun.elevation', { deg: formatNumber(deg, { maximumFractionDigits: 0 }) });
}
