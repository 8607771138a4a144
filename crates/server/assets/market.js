// Trading venue page: daily candlesticks (open, close, low, high in yuan/t) over the
// traded volume (t) of the book shown.
(function () {
  'use strict';
  const d = zp.data('market-data');
  const c = d && zp.chart('market-chart');
  if (!c) return;
  const L = d.labels;
  c.setOption({
    color: zp.palette,
    tooltip: { trigger: 'axis', axisPointer: { type: 'cross' } },
    legend: { top: 0 },
    grid: [
      { left: 60, right: 30, top: 40, height: '50%' },
      { left: 60, right: 30, top: '72%', bottom: 30 },
    ],
    xAxis: [
      { type: 'category', data: d.dates, boundaryGap: true },
      { type: 'category', data: d.dates, gridIndex: 1, boundaryGap: true, axisLabel: { show: false } },
    ],
    yAxis: [
      { type: 'value', name: L.price, scale: true },
      { type: 'value', name: L.volume, gridIndex: 1 },
    ],
    series: [
      { name: L.ohlc, type: 'candlestick', data: d.ohlc,
        barMaxWidth: 40,
        itemStyle: { color: '#ef4444', color0: '#0f766e', borderColor: '#ef4444', borderColor0: '#0f766e' } },
      { name: L.volume, type: 'bar', xAxisIndex: 1, yAxisIndex: 1, barMaxWidth: 40, data: d.volume },
    ],
  });
})();
