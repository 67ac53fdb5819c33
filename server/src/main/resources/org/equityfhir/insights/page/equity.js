// The equity analysts' page: network adequacy ($network-adequacy), measure rates by stratum
// (Measure/[id]/$evaluate-measure) and the stored monthly MeasureReports, all read through the FHIR API
// with the signed-in analyst's token. The server suppresses small cells; the page shows what it is given,
// and says "suppressed" where a figure was withheld, never 0 and never blank.
(function () {
  'use strict';

  const FHIR = new URL('../fhir/', document.baseURI).href;
  const MEASURE_BASE = 'http://equityfhir.org/fhir/Measure/';
  const ABSENT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';
  const GAP = 'http://equityfhir.org/fhir/StructureDefinition/adequacy-gap';
  const WHY_SUPPRESSED = 'Suppressed: fewer than 11 people, or a figure that could reveal a count that is.';
  const COLOURS = { members: '#0b4f6c', clinicians: '#e07a1f', rate: '#2a7f62', line: '#0b4f6c' };
  /** A figure the server withheld (data-absent-reason "masked"). Not reported at all is null. */
  const SUPPRESSED = Object.freeze({ suppressed: true });
  const $ = (id) => document.getElementById(id);
  let token = null;
  let adequacy = null;
  let rates = null;

  // Wilson score interval for x successes out of n (95% with z = 1.96). Unlike the normal approximation
  // it stays inside [0, 1] and is honest for small n and for rates near 0 or 1.
  function wilson(x, n, z = 1.96) {
    if (!(n > 0)) return null;
    const z2 = z * z;
    const centre = (x + z2 / 2) / (n + z2);
    const half = (z * Math.sqrt((x * (n - x)) / n + z2 / 4)) / (n + z2);
    return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
  }

  /** A GET on the FHIR API: a path under it, or a URL the server gave (a next page), read from this origin. */
  async function fhir(path) {
    const url = /^https?:/.test(path) ? location.origin + new URL(path).pathname + new URL(path).search : FHIR + path;
    let response;
    try {
      response = await fetch(url, { headers: { Accept: 'application/fhir+json', Authorization: 'Bearer ' + token } });
    } catch (e) {
      throw new Error('The server could not be reached. Check the connection and try again.');
    }
    const body = await response.json().catch(() => null);
    if (response.status === 401) EquitySignIn.expired();
    if (!response.ok) {
      const issue = body && body.issue && body.issue[0];
      throw new Error((issue && (issue.diagnostics || (issue.details && issue.details.text))) || ('The server answered ' + response.status));
    }
    return body;
  }

  function el(tag, props = {}, ...children) {
    const node = Object.assign(document.createElement(tag), props);
    children.forEach((c) => node.append(c));
    return node;
  }

  // --- Reading the reports ---------------------------------------------------------------------------

  const codesOf = (concept) => ((concept && concept.coding) || []).map((c) => c.code);
  const masked = (element) => !!element && (element.extension || []).some((e) => e.url === ABSENT && e.valueCode === 'masked');

  function label(concept) {
    if (!concept) return '';
    const coding = (concept.coding || []).find((c) => c.display) || (concept.coding || [])[0];
    return concept.text || (coding ? coding.display || coding.code : '');
  }

  /** A population's count: a number, SUPPRESSED, or null when the report has no such population. */
  function count(populations, code) {
    const population = (populations || []).find((p) => codesOf(p.code).includes(code));
    if (!population) return null;
    if (typeof population.count === 'number') return population.count;
    return masked(population._count) || masked(population) ? SUPPRESSED : null;
  }

  function score(measureScore) {
    if (!measureScore) return null;
    if (typeof measureScore.value === 'number') return measureScore.value;
    return masked(measureScore) || masked(measureScore._value) ? SUPPRESSED : null;
  }

  /** R4 has stratifier.code as a list of CodeableConcepts; a single one is read too. */
  function stratifierCodes(stratifier) {
    const concepts = Array.isArray(stratifier.code) ? stratifier.code : [stratifier.code];
    return concepts.flatMap((c) => codesOf(c).concat(c && c.text ? [c.text] : []));
  }

  function stratifierOf(group, code) {
    return ((group && group.stratifier) || []).find((s) => stratifierCodes(s).includes(code)) || null;
  }

  const stratumKey = (stratum) => label(stratum.value) || codesOf(stratum.value)[0] || '';
  const isNumber = (v) => typeof v === 'number';

  // --- Showing figures -------------------------------------------------------------------------------

  const percent = (p) => (p * 100).toFixed(1) + '%';
  const integer = (n) => String(n);

  /** A table cell for a figure: the word "suppressed" (with why) for a withheld one, "not reported" for none. */
  function figure(value, format = integer, numeric = true) {
    if (value === SUPPRESSED) return el('td', { className: 'suppressed', title: WHY_SUPPRESSED }, 'suppressed');
    if (value === null || value === undefined) return el('td', { className: 'absent', title: 'The report has no such figure.' }, 'not reported');
    return el('td', { className: numeric ? 'number' : '' }, format(value));
  }

  /** The 95% interval cell: computed here from the counts the server gave. */
  function intervalCell(x, n) {
    if (x === SUPPRESSED || n === SUPPRESSED) return figure(SUPPRESSED);
    if (!isNumber(x) || !isNumber(n)) return figure(null);
    const ci = wilson(x, n);
    if (!ci) return el('td', { className: 'absent', title: 'No one in the denominator.' }, 'not defined');
    return el('td', { className: 'number' }, percent(ci.low) + '–' + percent(ci.high));
  }

  const chartValue = (v, scale = 1) => (isNumber(v) ? v * scale : null);

  /** An axis label that says so when the figure behind it was suppressed (the chart then has no bar or point). */
  function chartLabel(name, suppressedWhat) {
    return suppressedWhat.length ? [name, suppressedWhat.join(', ') + ' suppressed'] : name;
  }

  function draw(canvasId, description, config) {
    const canvas = $(canvasId);
    canvas.setAttribute('aria-label', description + ' The table below gives the same figures.');
    if (typeof Chart === 'undefined') throw new Error('The chart library did not load; the table has the figures.');
    const old = Chart.getChart(canvas);
    if (old) old.destroy();
    return new Chart(canvas, config);
  }

  const chartDefaults = () => ({ responsive: true, maintainAspectRatio: false, animation: false,
    plugins: { legend: { position: 'bottom' } } });

  // Draws each bar's 95% interval as a whisker (a line from low to high with caps), from dataset.intervals.
  const intervalWhiskers = {
    id: 'intervalWhiskers',
    afterDatasetsDraw(chart) {
      const { ctx } = chart;
      chart.data.datasets.forEach((dataset, i) => {
        const meta = chart.getDatasetMeta(i);
        if (!dataset.intervals || meta.hidden) return;
        const y = chart.scales[meta.yAxisID];
        meta.data.forEach((bar, j) => {
          const range = dataset.intervals[j];
          if (!range) return;
          const top = y.getPixelForValue(range[1]);
          const bottom = y.getPixelForValue(range[0]);
          const cap = Math.min(8, bar.width / 4);
          ctx.save();
          ctx.strokeStyle = '#1d2733';
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          ctx.moveTo(bar.x, top);
          ctx.lineTo(bar.x, bottom);
          ctx.moveTo(bar.x - cap, top);
          ctx.lineTo(bar.x + cap, top);
          ctx.moveTo(bar.x - cap, bottom);
          ctx.lineTo(bar.x + cap, bottom);
          ctx.stroke();
          ctx.restore();
        });
      });
    }
  };

  // --- CSV -------------------------------------------------------------------------------------------

  const csvField = (text) => (/[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text);

  /** Exactly the table shown: its header row and body rows, cell text as displayed ("suppressed" included). */
  function tableCsv(table) {
    return [...table.querySelectorAll('thead tr, tbody tr')]
      .map((tr) => [...tr.children].map((cell) => csvField(cell.textContent.trim())).join(','))
      .join('\r\n') + '\r\n';
  }

  // The link downloads a Blob of the CSV; data-csv holds the same text, for anyone (or any test) to read.
  function offerCsv(linkId, table) {
    const link = $(linkId);
    const text = tableCsv(table);
    if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
    // The byte-order mark lets spreadsheet programs read the file as UTF-8.
    link.href = URL.createObjectURL(new Blob(['\ufeff' + text], { type: 'text/csv;charset=utf-8' }));
    link.dataset.csv = text;
    link.hidden = false;
  }

  // --- Sections --------------------------------------------------------------------------------------

  /** Says why a table has no rows, beside it rather than in it, so that its CSV holds data only. */
  function empty(id, message) {
    const note = $(id).querySelector('.empty');
    note.textContent = message;
    note.hidden = !message;
  }

  /** Runs a section's loading or drawing; a failure shows in that section and leaves the others be. */
  async function inSection(id, work) {
    const section = $(id);
    const error = section.querySelector('.section-error');
    section.dataset.state = 'loading';
    section.setAttribute('aria-busy', 'true');
    error.hidden = true;
    try {
      await work();
      section.classList.remove('failed');
      section.dataset.state = 'ready';
    } catch (e) {
      // No figures from an earlier answer stay beside the error.
      section.querySelector('tbody').replaceChildren();
      section.querySelector('a.download').hidden = true;
      section.querySelector('.empty').hidden = true;
      const chart = typeof Chart === 'undefined' ? null : Chart.getChart(section.querySelector('canvas'));
      if (chart) chart.destroy();
      section.classList.add('failed');
      error.textContent = e.message;
      error.hidden = false;
      section.dataset.state = 'error';
    } finally {
      section.removeAttribute('aria-busy');
    }
  }

  function period() {
    return { start: $('period-start').value, end: $('period-end').value };
  }

  const iso = (d) => [d.getFullYear(), String(d.getMonth() + 1).padStart(2, '0'), String(d.getDate()).padStart(2, '0')].join('-');

  /** The last 12 full months: from the first day 12 months back to the last day of last month. */
  function defaultPeriod() {
    const today = new Date();
    $('period-start').value = iso(new Date(today.getFullYear(), today.getMonth() - 12, 1));
    $('period-end').value = iso(new Date(today.getFullYear(), today.getMonth(), 0));
  }

  // Supply against need ------------------------------------------------------------------------------

  const DIMENSION_NAMES = { language: 'language', competency: 'cultural competency', race: 'race', ethnicity: 'ethnicity' };

  async function loadSupply() {
    adequacy = await fhir('$network-adequacy?area=' + encodeURIComponent($('area').value));
    const areas = new Set();
    (adequacy.group || []).forEach((g) => (g.stratifier || []).forEach((s) => (s.stratum || []).forEach((st) => areas.add(stratumKey(st)))));
    const select = $('area-stratum');
    const chosen = select.value;
    select.replaceChildren(el('option', { value: '' }, 'All areas'),
      ...[...areas].filter(Boolean).sort().map((a) => el('option', { value: a, selected: a === chosen }, a)));
    renderSupply();
  }

  function gapCell(element) {
    const gap = (element.extension || []).find((e) => e.url === GAP);
    if (!gap || typeof gap.valueBoolean !== 'boolean') {
      return el('td', { className: 'absent', title: 'Too few members or clinicians to say, or their counts are suppressed.' }, 'cannot say');
    }
    return gap.valueBoolean ? el('td', { className: 'gap' }, 'gap') : el('td', {}, 'no gap');
  }

  function supplyRow(group, area, element) {
    const figures = {
      members: count(element.population, 'members'),
      clinicians: count(element.population, 'clinicians'),
      without: count(element.population, 'members-without-access'),
      perThousand: score(element.measureScore)
    };
    const row = el('tr', {}, el('th', { scope: 'row' }, label(group.code) || group.id), el('td', {}, area),
      figure(figures.members), figure(figures.clinicians), figure(figures.without),
      figure(figures.perThousand, (v) => v.toFixed(1)), gapCell(element));
    row.dataset.group = group.id || '';
    return { row, figures };
  }

  function renderSupply() {
    if (!adequacy) return;
    const dimension = $('dimension').value;
    const area = $('area-stratum').value;
    const areaKind = $('area').value === 'zip' ? 'ZIP code' : 'county';
    const groups = (adequacy.group || []).filter((g) => (g.id || '').startsWith(dimension + '-'));
    const body = $('supply-table').querySelector('tbody');
    body.replaceChildren();
    const charted = [];
    groups.forEach((group) => {
      const strata = (group.stratifier || []).flatMap((s) => s.stratum || []);
      if (!area) {
        const total = supplyRow(group, 'All areas', group);
        total.row.className = 'overall';
        body.append(total.row);
        charted.push({ name: label(group.code) || group.id, ...total.figures });
        strata.forEach((st) => body.append(supplyRow(group, stratumKey(st), st).row));
      } else {
        const st = strata.find((s) => stratumKey(s) === area);
        if (!st) return;
        const one = supplyRow(group, area, st);
        body.append(one.row);
        charted.push({ name: label(group.code) || group.id, ...one.figures });
      }
    });
    empty('supply', body.children.length ? '' : 'The report has no ' + DIMENSION_NAMES[dimension] + ' groups' + (area ? ' in ' + area : '') + '.');
    const reported = adequacy.period ? ' Reported for ' + (adequacy.period.start || '') + ' to ' + (adequacy.period.end || '') + '.' : '';
    $('supply-table').querySelector('caption').textContent = 'Members and clinicians by ' + DIMENSION_NAMES[dimension]
      + ', ' + (area ? area + ' (' + areaKind + ')' : 'all areas, then each ' + areaKind) + '.' + reported;
    offerCsv('supply-csv', $('supply-table'));

    draw('supply-chart', 'Bar chart of members and clinicians by ' + DIMENSION_NAMES[dimension] + ', ' + (area || 'all areas') + '.', {
      type: 'bar',
      data: {
        labels: charted.map((c) => chartLabel(c.name, [c.members === SUPPRESSED && 'members', c.clinicians === SUPPRESSED && 'clinicians'].filter(Boolean))),
        datasets: [
          { label: 'Members', data: charted.map((c) => chartValue(c.members)), backgroundColor: COLOURS.members, yAxisID: 'members' },
          { label: 'Clinicians', data: charted.map((c) => chartValue(c.clinicians)), backgroundColor: COLOURS.clinicians, yAxisID: 'clinicians' }
        ]
      },
      options: { ...chartDefaults(), scales: {
        members: { position: 'left', beginAtZero: true, title: { display: true, text: 'Members' }, ticks: { precision: 0 } },
        clinicians: { position: 'right', beginAtZero: true, title: { display: true, text: 'Clinicians' }, ticks: { precision: 0 },
          grid: { drawOnChartArea: false } } } }
    });
  }

  // Rates by stratum -----------------------------------------------------------------------------------

  async function loadRates() {
    const { start, end } = period();
    const id = $('measure').value;
    const report = await fhir('Measure/' + encodeURIComponent(id) + '/$evaluate-measure?periodStart=' + encodeURIComponent(start)
      + '&periodEnd=' + encodeURIComponent(end));
    if (id !== $('measure').value) return; // another measure was chosen meanwhile; its answer draws
    rates = { id, report };
    renderRates();
  }

  function rateRow(name, element, days, overall) {
    const x = count(element.population, 'numerator');
    const n = count(element.population, 'denominator');
    let rate = score(element.measureScore);
    if (rate === null && isNumber(x) && isNumber(n) && n > 0) rate = x / n;
    const ci = isNumber(x) && isNumber(n) ? wilson(x, n) : null;
    const row = el('tr', { className: overall ? 'overall' : '' }, el('th', { scope: 'row' }, name),
      figure(x), figure(n), figure(rate, percent), intervalCell(x, n));
    const median = days === undefined ? undefined : days && score(days.measureScore);
    if (median !== undefined) row.append(figure(median, (v) => v.toFixed(1)));
    return { row, name, x, n, rate, ci };
  }

  function renderRates() {
    if (!rates) return;
    const { id, report } = rates;
    const code = $('stratifier').value;
    const stratifierName = $('stratifier').selectedOptions[0].textContent;
    const measureName = $('measure').selectedOptions[0].textContent;
    const groups = report.group || [];
    const rateGroup = groups.find((g) => g.id === 'rate') || groups[0] || {};
    const daysGroup = id === 'referral-loop-closure' ? groups.find((g) => g.id === 'days-to-close') || groups[1] || null : null;
    const withDays = !!daysGroup;

    $('rates-table').querySelector('thead tr').replaceChildren(
      ...[stratifierName, 'Numerator', 'Denominator', 'Rate', '95% interval'].concat(withDays ? ['Median days to close'] : [])
        .map((h) => el('th', { scope: 'col' }, h)));
    const daysStrata = new Map(((stratifierOf(daysGroup, code) || {}).stratum || []).map((s) => [stratumKey(s), s]));
    const rows = [rateRow('All', rateGroup, withDays ? daysGroup : undefined, true)];
    const stratifier = stratifierOf(rateGroup, code);
    ((stratifier && stratifier.stratum) || []).forEach((st) => {
      const key = stratumKey(st);
      const r = rateRow(key, st, withDays ? daysStrata.get(key) || null : undefined, false);
      r.row.dataset.stratum = key;
      r.row.dataset.code = codesOf(st.value)[0] || '';
      rows.push(r);
    });
    const body = $('rates-table').querySelector('tbody');
    body.replaceChildren(...rows.map((r) => r.row));
    empty('rates', stratifier ? '' : 'The report has no strata by ' + stratifierName.toLowerCase() + '.');
    const { start, end } = period();
    $('rates-table').querySelector('caption').textContent = measureName + ' by ' + stratifierName.toLowerCase() + ', ' + start + ' to ' + end
      + '. The interval is the 95% Wilson score interval.';
    offerCsv('rates-csv', $('rates-table'));

    draw('rates-chart', 'Bar chart of ' + measureName + ' by ' + stratifierName.toLowerCase() + ', with 95% intervals.', {
      type: 'bar',
      data: {
        labels: rows.map((r) => chartLabel(r.name, r.rate === SUPPRESSED ? ['rate'] : [])),
        datasets: [{ label: measureName + ' (%)', data: rows.map((r) => chartValue(r.rate, 100)), backgroundColor: COLOURS.rate,
          intervals: rows.map((r) => (r.ci && isNumber(r.rate) ? [r.ci.low * 100, r.ci.high * 100] : null)) }]
      },
      options: { ...chartDefaults(),
        scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: 'Rate (%)' } } },
        plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { label: (item) => {
          const r = rows[item.dataIndex];
          return 'Rate ' + percent(r.rate) + (r.ci ? ' (95% interval ' + percent(r.ci.low) + '–' + percent(r.ci.high) + ')' : '');
        } } } } },
      plugins: [intervalWhiskers]
    });
  }

  // Trends by month -----------------------------------------------------------------------------------

  async function loadTrends() {
    const id = $('measure').value;
    const measureName = $('measure').selectedOptions[0].textContent;
    let bundle = await fhir('MeasureReport?measure=' + encodeURIComponent(MEASURE_BASE + id) + '&_sort=period&_count=200');
    const found = [...(bundle.entry || [])];
    // The server may page below 200; a few pages hold years of monthly reports.
    for (let pages = 1; pages < 10; pages++) {
      const next = (bundle.link || []).find((l) => l.relation === 'next');
      if (!next) break;
      bundle = await fhir(next.url);
      found.push(...(bundle.entry || []));
    }
    if (id !== $('measure').value) return;
    const { start, end } = period();
    // One report per month within the chosen period; of two for the same month, the later one.
    const byMonth = new Map();
    found.map((e) => e.resource)
      .filter((r) => r && r.resourceType === 'MeasureReport' && r.period && r.period.start)
      .filter((r) => r.period.start.slice(0, 10) >= start && r.period.start.slice(0, 10) <= end)
      .forEach((r) => {
        const month = r.period.start.slice(0, 7);
        const seen = byMonth.get(month);
        if (!seen || (r.date || '') > (seen.date || '')) byMonth.set(month, r);
      });
    const months = [...byMonth.keys()].sort().map((month) => {
      const group = (byMonth.get(month).group || [])[0] || {};
      return { month, x: count(group.population, 'numerator'), n: count(group.population, 'denominator'), rate: score(group.measureScore) };
    });
    $('trends-table').querySelector('tbody').replaceChildren(...months.map((m) =>
      el('tr', {}, el('th', { scope: 'row' }, m.month), figure(m.x), figure(m.n), figure(m.rate, percent))));
    empty('trends', months.length ? '' : 'No monthly reports are stored for this period.');
    $('trends-table').querySelector('caption').textContent = measureName + ' by month, ' + start + ' to ' + end + '.';
    offerCsv('trends-csv', $('trends-table'));

    draw('trends-chart', 'Line chart of ' + measureName + ' by month; suppressed months are gaps in the line.', {
      type: 'line',
      data: {
        labels: months.map((m) => chartLabel(m.month, m.rate === SUPPRESSED ? ['rate'] : [])),
        datasets: [{ label: measureName + ' (%)', data: months.map((m) => chartValue(m.rate, 100)), borderColor: COLOURS.line,
          backgroundColor: COLOURS.line, spanGaps: false, tension: 0 }]
      },
      options: { ...chartDefaults(), scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: 'Rate (%)' } } } }
    });
  }

  // --- Wiring ----------------------------------------------------------------------------------------

  function loadAll() {
    return Promise.all([inSection('supply', loadSupply), inSection('rates', loadRates), inSection('trends', loadTrends)]);
  }

  async function start() {
    try {
      token = await EquitySignIn.signIn();
      if (!token) return;
      defaultPeriod();
      $('report').hidden = false;
      $('choices').onsubmit = (event) => {
        event.preventDefault();
        if ($('period-start').value > $('period-end').value) {
          $('error').textContent = 'The period starts after it ends.';
          $('error').hidden = false;
          return;
        }
        $('error').hidden = true;
        loadAll();
      };
      $('dimension').onchange = () => inSection('supply', renderSupply);
      $('area-stratum').onchange = () => inSection('supply', renderSupply);
      $('stratifier').onchange = () => inSection('rates', renderRates);
      $('measure').onchange = () => Promise.all([inSection('rates', loadRates), inSection('trends', loadTrends)]);
      await loadAll();
    } catch (e) {
      $('error').textContent = e.message;
      $('error').hidden = false;
    }
  }

  window.EquityPage = { wilson };
  start();
})();
