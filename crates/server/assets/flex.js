// Flexibility page: the plan by hour (stacked load, PV and battery; price and grid factor
// lines; the metered battery where the day is verified).
(function () {
  'use strict';
  const d = zp.data('flex-data');
  const c = d && zp.chart('flex-chart');
  if (!c) return;
  const L = d.labels;
  const series = [
    { name: L.load, type: 'bar', stack: 'use', data: d.load },
    { name: L.charge, type: 'bar', stack: 'use', data: d.charge },
    { name: L.pv, type: 'bar', stack: 'supply', data: d.pv.map(v => -v) },
    { name: L.discharge, type: 'bar', stack: 'supply', data: d.discharge },
    { name: L.price, type: 'line', yAxisIndex: 1, step: 'start', data: d.price },
    { name: L.carbon, type: 'line', yAxisIndex: 2, smooth: true, lineStyle: { type: 'dashed' }, data: d.carbon },
  ];
  if (d.soc) series.push({ name: L.soc, type: 'line', data: d.soc });
  if (d.metered) series.push({ name: L.metered, type: 'line', symbol: 'diamond', data: d.metered });
  c.setOption({
    color: zp.palette,
    tooltip: { trigger: 'axis', valueFormatter: v => zp.fmt(v, 3) },
    legend: { top: 0 },
    grid: { left: 60, right: 120, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: d.hours },
    yAxis: [
      { type: 'value', name: L.mwh },
      { type: 'value', name: L.yuan, splitLine: { show: false } },
      { type: 'value', name: L.tco2, offset: 60, splitLine: { show: false } },
    ],
    series: series,
  });
})();
