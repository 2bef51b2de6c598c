// The page for a path that serves nothing (the server answers it with status 404).
import { initPage, showPageMessage } from './chrome.js';

await initPage({ page: null, title: 'common.notFound.title' });
showPageMessage('common.notFound.title', 'common.notFound.text');
