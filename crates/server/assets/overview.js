// Park overview charts: monthly trend, emissions by industry, intensity gauge.
(function () {
  'use strict';
  const d = zp.data('overview-data');
  if (!d) return;
  const L = d.labels;
  const trend = zp.chart('trend');
  if (trend) {
    trend.setOption({
      color: zp.palette,
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 60, right: 60, top: 40, bottom: 30 },
      xAxis: { type: 'category', data: d.months.map(m => m.slice(5)) },
      yAxis: [
        { type: 'value', name: L.tco2, axisLabel: { formatter: v => zp.fmt(v) } },
        { type: 'value', name: L.tce, splitLine: { show: false }, axisLabel: { formatter: v => zp.fmt(v) } },
      ],
      series: [
        { name: L.scope1, type: 'bar', stack: 'loc', data: d.scope1_tco2 },
        { name: L.scope2_location, type: 'bar', stack: 'loc', data: d.scope2_location_tco2 },
        { name: L.scope2_market, type: 'line', smooth: true, data: d.scope2_market_tco2 },
        { name: L.energy, type: 'line', yAxisIndex: 1, smooth: true, lineStyle: { type: 'dashed' }, data: d.energy_tce },
      ],
    });
  }
  const ind = zp.chart('industry');
  if (ind) {
    ind.setOption({
      color: zp.palette,
      tooltip: { trigger: 'item', formatter: p => `${zp.esc(p.name)}<br>${zp.fmt(p.value)} ${L.tco2} (${p.percent}%)` },
      series: [{ type: 'pie', radius: ['42%', '72%'], itemStyle: { borderColor: '#fff', borderWidth: 2 },
        label: { formatter: '{b}\n{d}%' }, data: d.industries }],
    });
  }
  const g = zp.chart('gauge');
  if (g && d.intensity !== null) {
    const max = Math.max(d.threshold * 4, d.intensity * 1.2);
    g.setOption({
      series: [{
        type: 'gauge', startAngle: 180, endAngle: 0, min: 0, max: Number(max.toFixed(2)), radius: '150%', center: ['50%', '95%'],
        axisLine: { lineStyle: { width: 16, color: [[d.threshold / max, '#15803d'], [1, '#f59e0b']] } },
        pointer: { width: 5, itemStyle: { color: '#1c2b2a' } },
        splitNumber: 4, axisTick: { show: false }, splitLine: { length: 8 }, axisLabel: { distance: 18, fontSize: 10, formatter: v => v.toFixed(1) },
        detail: { formatter: v => v.toFixed(3), fontSize: 18, offsetCenter: [0, '-25%'] },
        data: [{ value: Number(d.intensity.toFixed(3)) }],
      }],
    });
  }
})();
