// Evaluations page: the marginal abatement cost curve (bar width = tCO2/yr avoided, height =
// yuan/tCO2, cheapest first) and the intensity path to the target.
(function () {
  'use strict';
  const d = zp.data('plan-data');
  if (!d) return;
  const L = d.labels;
  const mac = zp.chart('mac-chart');
  if (mac && d.steps.length) {
    const data = d.steps.map((s, i) => [s.start, s.end, s.cost_yuan_per_tco2, s.name, s.avoided_tco2, i]);
    mac.setOption({
      tooltip: {
        trigger: 'item',
        formatter: p => `${zp.esc(p.value[3])}<br>${zp.fmt(p.value[4])} tCO2/yr · ${zp.fmt(p.value[2])} ${L.y}`,
      },
      grid: { left: 70, right: 30, top: 30, bottom: 50 },
      xAxis: { type: 'value', name: L.x, nameLocation: 'middle', nameGap: 30, min: 0, axisLabel: { formatter: v => zp.fmt(v) } },
      yAxis: { type: 'value', name: L.y, axisLabel: { formatter: v => zp.fmt(v) } },
      series: [{
        type: 'custom',
        encode: { x: [0, 1], y: 2, tooltip: [3, 4, 2] },
        data: data,
        renderItem: function (params, api) {
          const a = api.coord([api.value(0), 0]);
          const b = api.coord([api.value(1), api.value(2)]);
          return {
            type: 'rect',
            shape: { x: a[0], y: Math.min(a[1], b[1]), width: Math.max(b[0] - a[0], 1), height: Math.abs(b[1] - a[1]) },
            style: { fill: zp.palette[api.value(5) % zp.palette.length], stroke: '#fff' },
          };
        },
      }],
    });
  }
  const path = zp.chart('trajectory-chart');
  if (path && d.trajectory.length) {
    path.setOption({
      color: zp.palette,
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 60, right: 30, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: d.trajectory.map(t => String(t.year)) },
      yAxis: { type: 'value', name: L.intensity },
      series: [
        { name: L.intensity, type: 'line', data: d.trajectory.map(t => t.intensity) },
        { name: L.target, type: 'line', lineStyle: { type: 'dashed' }, symbol: 'none', data: d.trajectory.map(() => d.target) },
      ],
    });
  }
})();
