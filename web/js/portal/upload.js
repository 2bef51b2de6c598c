// Uploading a file as a new version: type checked before sending, a progress bar, a retry when the connection breaks
// (the server keeps nothing of a cut upload), then the ingestion job followed until its validation report is ready.
import { api, upload, ApiError, reauthenticateAfter } from '../common/api.js';
import { h, replace } from '../common/dom.js';
import { t, formatBytes, formatNumber } from '../common/i18n.js';

export const ACCEPTED = ['.csv', '.geojson', '.json', '.gpkg', '.parquet', '.geoparquet'];
const POLL_MS = 700;

/**
 * The upload panel. onVersion(versionDocument, file) runs when the job has finished (ready or failed) so the page can
 * show the report; a file is kept in memory so the report's schema can be corrected and the same file sent again.
 */
export function uploadPanel(datasetId, onVersion) {
  const input = h('input', { class: 'fr-upload', type: 'file', id: 'upload-file', name: 'file', accept: ACCEPTED.join(','), 'aria-describedby': 'upload-hint' });
  const strict = h('input', { type: 'checkbox', id: 'upload-strict', name: 'strict' });
  const progress = h('progress', { id: 'upload-progress', max: '100', value: '0', hidden: true, 'aria-label': t('portal.upload.progress') });
  const status = h('p', { id: 'upload-status', class: 'fr-mt-2w', role: 'status', 'aria-live': 'polite' });
  const retry = h('button', { type: 'button', class: 'fr-btn fr-btn--secondary fr-icon-refresh-line fr-btn--icon-left fr-ml-2w', id: 'upload-retry', hidden: true },
    t('portal.upload.retry', { name: '' }));
  const send = h('button', { type: 'submit', class: 'fr-btn fr-icon-upload-line fr-btn--icon-left', id: 'upload-send' }, t('portal.upload.send'));
  let busy = false;

  async function run(file, tableSchema, reauthenticated = false) {
    if (busy) return;
    busy = true;
    send.disabled = true;
    retry.hidden = true;
    progress.hidden = false;
    progress.value = 0;
    replace(status, t('portal.upload.sending', { name: file.name, size: formatBytes(file.size) }));
    try {
      const body = new FormData();
      body.append('file', file, file.name);
      if (tableSchema) body.append('tableSchema', JSON.stringify(tableSchema));
      const query = strict.checked ? '?strict=true' : '';
      const accepted = await upload(`/api/v1/datasets/${encodeURIComponent(datasetId)}/versions${query}`, body, {
        onProgress: (loaded, total) => {
          progress.value = total ? Math.round((loaded / total) * 100) : 0;
          replace(status, t('portal.upload.progressText', { percent: progress.value, loaded: formatBytes(loaded), total: formatBytes(total) }));
        },
      });
      progress.value = 100;
      replace(status, t('portal.upload.processing', { version: accepted.version }));
      const done = await follow(accepted.jobId);
      progress.hidden = true;
      // The version's report is drawn first, then the line announces it: whoever reads "ready" and acts (corrects the
      // schema, publishes) finds that version's report on screen, not the previous one's about to be replaced.
      await onVersion(done, file);
      replace(status, done.status === 'ready'
        ? t('portal.upload.ready', { version: done.number, rows: formatNumber(done.rowCount ?? 0) })
        : t('portal.upload.failed', { version: done.number }));
    } catch (error) {
      progress.hidden = true;
      if (error instanceof ApiError && !reauthenticated && await reauthenticateAfter(error.status)) {
        busy = false;
        return run(file, tableSchema, true);
      }
      const broken = error instanceof ApiError && error.status === 0;
      replace(status, h('span', { class: 'fr-message fr-message--error' },
        broken ? t('portal.upload.interrupted') : t('portal.upload.refused', { message: error.message })));
      if (broken) {
        replace(retry, t('portal.upload.retry', { name: file.name }));
        retry.hidden = false;
        retry.onclick = () => { busy = false; run(file, tableSchema); };
      }
    } finally {
      busy = false;
      send.disabled = false;
    }
  }

  async function follow(jobId) {
    for (;;) {
      const job = await api(`/api/v1/jobs/${jobId}`);
      if (job.version.status !== 'queued' && job.version.status !== 'processing') return job.version;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  const form = h('form', { id: 'upload-form', novalidate: true, onsubmit: (event) => {
    event.preventDefault();
    const file = input.files?.[0];
    if (!file) { replace(status, h('span', { class: 'fr-message fr-message--error' }, t('portal.upload.noFile'))); input.focus(); return; }
    const extension = file.name.includes('.') ? file.name.slice(file.name.lastIndexOf('.')).toLowerCase() : '';
    if (!ACCEPTED.includes(extension)) {
      replace(status, h('span', { class: 'fr-message fr-message--error' }, t('portal.upload.wrongType', { name: file.name, accepted: ACCEPTED.join(', ') })));
      input.focus();
      return;
    }
    if (file.size === 0) { replace(status, h('span', { class: 'fr-message fr-message--error' }, t('portal.upload.empty', { name: file.name }))); return; }
    run(file);
  } },
  h('div', { class: 'fr-upload-group' },
    h('label', { class: 'fr-label', for: 'upload-file' }, t('portal.upload.label'),
      h('span', { class: 'fr-hint-text', id: 'upload-hint' }, t('portal.upload.hint', { accepted: ACCEPTED.join(', ') }))),
    input),
  h('div', { class: 'fr-checkbox-group fr-checkbox-group--sm fr-my-2w' },
    strict, h('label', { class: 'fr-label', for: 'upload-strict' }, t('portal.upload.strict'))),
  send, retry, progress, status);
  return { form, resend: (file, tableSchema) => run(file, tableSchema) };
}
