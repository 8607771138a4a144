// Enterprise page: lineage panels and the monthly trend.
(function () {
  'use strict';
  function show(i) {
    document.querySelectorAll('.lineage-detail').forEach(p => { p.hidden = p.id !== 'line-' + i; });
    document.querySelectorAll('#lineage tr.clickable').forEach(r => r.classList.toggle('selected', r.dataset.line === String(i)));
    const hint = document.getElementById('lineage-hint');
    if (hint) hint.hidden = true;
    const p = document.getElementById('line-' + i);
    if (p) p.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  }
  document.querySelectorAll('#lineage tr.clickable').forEach(r => r.addEventListener('click', () => show(r.dataset.line)));
  const d = zp.data('org-data');
  const c = d && zp.chart('trend');
  if (c) {
    const L = d.labels;
    c.setOption({
      color: zp.palette,
      tooltip: { trigger: 'axis', valueFormatter: v => zp.fmt(v, 1) },
      legend: { top: 0 },
      grid: { left: 60, right: 60, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: d.months.map(m => m.slice(5)) },
      yAxis: [{ type: 'value', name: L.tco2 }, { type: 'value', name: L.tce, splitLine: { show: false } }],
      series: [
        { name: L.scope1, type: 'bar', stack: 'loc', data: d.scope1_tco2 },
        { name: L.scope2_location, type: 'bar', stack: 'loc', data: d.scope2_location_tco2 },
        { name: L.scope2_market, type: 'line', smooth: true, data: d.scope2_market_tco2 },
        { name: L.energy, type: 'line', yAxisIndex: 1, smooth: true, lineStyle: { type: 'dashed' }, data: d.energy_tce },
      ],
    });
  }
})();
