// Project page: monthly expected vs monitored reductions, months behind highlighted.
(function () {
  'use strict';
  const d = zp.data('mrv-data');
  const c = d && zp.chart('mrv-chart');
  if (!c) return;
  const L = d.labels;
  const behindColor = '#ef4444';
  c.setOption({
    color: zp.palette,
    tooltip: { trigger: 'axis', valueFormatter: v => zp.fmt(v, 1) },
    legend: { top: 0, data: [L.expected, L.monitored, L.behind] },
    grid: { left: 70, right: 30, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: d.months },
    yAxis: { type: 'value', name: L.tco2 },
    series: [
      { name: L.expected, type: 'line', data: d.expected, lineStyle: { type: 'dashed' }, symbol: 'none' },
      {
        name: L.monitored, type: 'bar', barMaxWidth: 28,
        data: d.monitored.map((v, i) => ({ value: v, itemStyle: d.behind[i] ? { color: behindColor } : undefined })),
      },
      // Legend entry for the highlighted months (no data of its own).
      { name: L.behind, type: 'bar', data: [], itemStyle: { color: behindColor } },
    ],
  });
  document.getElementById('mrv-chart').dataset.behind = String(d.behind.filter(Boolean).length);
})();
