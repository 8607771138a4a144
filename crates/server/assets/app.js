// zeropark: helpers shared by the page scripts (no framework; ECharts is vendored).
(function () {
  'use strict';
  const zp = {};
  zp.csrf = function () {
    const m = document.querySelector('meta[name=csrf-token]');
    return m ? m.content : '';
  };
  zp.lang = function () { return document.body.dataset.lang || 'zh'; };
  zp.data = function (id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  };
  zp.fmt = function (v, dp) {
    if (v === null || v === undefined || Number.isNaN(v)) return '—';
    return Number(v).toLocaleString(zp.lang() === 'en' ? 'en-US' : 'zh-CN',
      { minimumFractionDigits: dp || 0, maximumFractionDigits: dp || 0 });
  };
  zp.api = async function (path, opts) {
    opts = opts || {};
    const headers = Object.assign({ 'Accept': 'application/json' }, opts.headers || {});
    if (opts.method && opts.method !== 'GET') headers['X-CSRF-Token'] = zp.csrf();
    const r = await fetch(path, Object.assign({}, opts, { headers, credentials: 'same-origin' }));
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error((body.error && body.error.message) || r.statusText);
    return body;
  };
  zp.esc = function (s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  };
  zp.palette = ['#0f766e', '#14b8a6', '#f59e0b', '#6366f1', '#ef4444', '#84cc16', '#0ea5e9', '#a855f7', '#64748b', '#f97316'];
  zp.chart = function (id) {
    const el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    const c = echarts.init(el, null, { renderer: 'canvas' });
    window.addEventListener('resize', () => c.resize());
    return c;
  };
  window.zp = zp;
})();
