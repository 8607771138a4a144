// Certificates page: the hourly match chart (load, matched certificates, unmatched grid
// load, grid CFE share) and the registry action forms (POSTed as JSON with the CSRF header).
(function () {
  'use strict';
  const d = zp.data('match-data');
  const chart = d && zp.chart('match-chart');
  if (chart) {
    const L = d.labels;
    const mwh = wh => Number(wh) / 1e6;
    // Hour starts are UTC epoch seconds; Asia/Shanghai is UTC+8 all year (no DST).
    const hourLabel = ts => new Date((ts + 8 * 3600) * 1000).toISOString().slice(5, 16).replace('T', ' ');
    chart.setOption({
      color: ['#64748b', '#15803d', '#cbd5e1', '#f59e0b'],
      tooltip: { trigger: 'axis', valueFormatter: v => zp.fmt(v, 3) },
      legend: { top: 0 },
      grid: { left: 60, right: 60, top: 40, bottom: 60 },
      dataZoom: [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }],
      xAxis: { type: 'category', data: d.hours.map(h => hourLabel(h.hour_start)) },
      yAxis: [
        { type: 'value', name: 'MWh', axisLabel: { formatter: v => zp.fmt(v, 1) } },
        { type: 'value', name: L.cfe_share, min: 0, max: 1, splitLine: { show: false }, axisLabel: { formatter: v => `${Math.round(v * 100)}%` } },
      ],
      series: [
        { name: L.load, type: 'line', step: 'middle', symbol: 'none', lineStyle: { width: 1.5 }, data: d.hours.map(h => mwh(h.load_wh)) },
        { name: L.matched, type: 'bar', stack: 'load', data: d.hours.map(h => mwh(h.matched_wh)) },
        { name: L.grid, type: 'bar', stack: 'load', data: d.hours.map(h => mwh(h.grid_wh)) },
        { name: L.cfe_share, type: 'line', yAxisIndex: 1, symbol: 'none', lineStyle: { type: 'dashed' }, data: d.hours.map(h => Number(h.grid_cfe_share)) },
      ],
    });
  }

  const result = document.getElementById('action-result');
  const show = (ok, text) => {
    result.hidden = false;
    result.className = ok ? 'ok-box' : 'alert';
    result.textContent = text;
  };
  // Form fields as a JSON body: empty fields are left out, numbers sent as numbers.
  const body = form => {
    const out = {};
    for (const el of form.elements) {
      if (!el.name || el.value.trim() === '') continue;
      out[el.name] = el.type === 'number' ? Number(el.value) : el.value.trim();
    }
    return out;
  };
  for (const form of document.querySelectorAll('form.cert-action')) {
    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      const button = form.querySelector('button');
      button.disabled = true;
      try {
        const r = await zp.api(`/api/v1/certs/${form.dataset.action}`, {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body(form)),
        });
        const n = r.events_appended !== undefined ? r.events_appended : r.bundles_issued;
        show(true, document.getElementById('done-text').innerHTML + n);
        setTimeout(() => location.reload(), 800);
      } catch (e) {
        show(false, e.message);
        button.disabled = false;
      }
    });
  }
  // Clicking an active bundle fills the transfer and retire forms.
  for (const tr of document.querySelectorAll('#bundles tr[data-bundle]')) {
    tr.addEventListener('click', () => {
      for (const id of ['form-transfer', 'form-retire']) {
        const f = document.getElementById(id);
        if (!f) continue;
        f.elements.namedItem('bundle').value = tr.dataset.bundle;
        const as = f.elements.namedItem('as');
        if ([...as.options].some(o => o.value === tr.dataset.owner)) as.value = tr.dataset.owner;
      }
      const hour = document.querySelector('#form-retire [name=hour]');
      if (hour) hour.value = tr.dataset.hour;
    });
  }
})();
