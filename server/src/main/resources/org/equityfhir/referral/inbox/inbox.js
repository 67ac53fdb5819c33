// The referral inbox: reads and writes only through the FHIR API, with If-Match on every change, so the
// server's referral workflow (and a concurrent change by a colleague) decides, not the page.
(function () {
  'use strict';

  const FHIR = new URL('../fhir/', document.baseURI).href;
  const SDOHCC = 'http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes';
  const NAMES = { es: 'Spanish', so: 'Somali', hmn: 'Hmong', kar: 'Karen', om: 'Oromo', vi: 'Vietnamese',
    ru: 'Russian', am: 'Amharic', ase: 'American Sign Language', ar: 'Arabic', lo: 'Lao', km: 'Khmer',
    my: 'Burmese', ne: 'Nepali', zh: 'Chinese', ti: 'Tigrinya', fr: 'French', en: 'English' };
  const STATUS = { requested: 'New', accepted: 'Accepted', 'in-progress': 'In progress', 'on-hold': 'On hold' };
  const $ = (id) => document.getElementById(id);
  let organization = new URLSearchParams(location.search).get('organization');
  let token = null;

  const signIn = () => EquitySignIn.signIn().then((t) => { token = t; return !!t; });
  const claims = (jwt) => EquitySignIn.claims(jwt);

  async function fhir(path, options = {}) {
    let response;
    try {
      response = await fetch(FHIR + path, {
        ...options,
        headers: { Accept: 'application/fhir+json', ...(options.body ? { 'Content-Type': 'application/fhir+json' } : {}),
          ...(token ? { Authorization: 'Bearer ' + token } : {}), ...(options.headers || {}) }
      });
    } catch (e) {
      throw new Error('The server could not be reached. Check the connection and try again.');
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      if (response.status === 401) {
        EquitySignIn.expired();
      }
      if (response.status === 412) {
        throw new Error('Someone else changed this referral meanwhile. The list has been refreshed: please try again.');
      }
      const issue = body && body.issue && body.issue[0];
      throw new Error((issue && (issue.diagnostics || (issue.details && issue.details.text))) || ('The server answered ' + response.status));
    }
    return body;
  }

  function text(concept) {
    if (!concept) return '';
    if (concept.text) return concept.text;
    const coding = (concept.coding || []).find((c) => c.display) || (concept.coding || [])[0];
    return coding ? (coding.display || coding.code) : '';
  }

  function patientName(patient) {
    const name = patient && (patient.name || [])[0];
    if (!name) return 'Unnamed patient';
    return name.text || [(name.given || []).join(' '), name.family].filter(Boolean).join(' ');
  }

  function preferredLanguage(patient) {
    const all = (patient && patient.communication) || [];
    const preferred = all.find((c) => c.preferred) || all[0];
    if (!preferred) return 'Not recorded';
    const coding = (preferred.language.coding || [])[0];
    const tag = coding && coding.code;
    return (tag && NAMES[tag.split('-')[0]]) || text(preferred.language) || tag || 'Not recorded';
  }

  function contact(org) {
    if (!org) return '';
    const telecom = (org.telecom || []).map((t) => t.value).filter(Boolean);
    (org.contact || []).forEach((c) => (c.telecom || []).forEach((t) => t.value && telecom.push(t.value)));
    return telecom.join(' · ');
  }

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props);
    children.forEach((c) => node.append(c));
    return node;
  }

  function showError(message) {
    $('error').textContent = message;
    $('error').hidden = !message;
  }

  async function put(task) {
    return fhir('Task/' + task.id, { method: 'PUT', body: JSON.stringify(task), headers: { 'If-Match': 'W/"' + task.meta.versionId + '"' } });
  }

  function act(work, done) {
    return async () => {
      showError('');
      try {
        await work();
        $('status').textContent = done;
      } catch (e) {
        showError(e.message);
      }
      await load();
    };
  }

  function accept(task) {
    return act(() => put({ ...task, status: 'accepted', owner: { reference: organization } }), 'Referral accepted.');
  }

  function setStatus(task, status, done) {
    return act(() => put({ ...task, status }), done);
  }

  function reject(task, reason) {
    return act(async () => {
      if (!reason.value.trim()) throw new Error('Say why you cannot take this referral.');
      await put({ ...task, status: 'rejected', statusReason: { text: reason.value.trim() } });
    }, 'Referral declined.');
  }

  function complete(task, referral, patient, outcome) {
    return act(async () => {
      if (!outcome.value.trim()) throw new Error('Describe what was done for the patient.');
      const procedureUrl = 'urn:uuid:' + crypto.randomUUID();
      const categories = (referral.category || []).flatMap((c) => c.coding || []);
      const procedure = {
        resourceType: 'Procedure', status: 'completed',
        basedOn: [{ reference: 'ServiceRequest/' + referral.id }],
        category: categories.length ? { coding: categories } : undefined,
        code: referral.code, subject: { reference: 'Patient/' + patient.id },
        performedDateTime: new Date().toISOString(),
        performer: [{ actor: { reference: organization } }],
        note: [{ text: outcome.value.trim() }]
      };
      const completed = { ...task, status: 'completed',
        output: [...(task.output || []), { type: { coding: [{ system: SDOHCC, code: 'resulting-activity' }] }, valueReference: { reference: procedureUrl } }] };
      await fhir('', { method: 'POST', body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [
        { fullUrl: procedureUrl, resource: procedure, request: { method: 'POST', url: 'Procedure' } },
        { resource: completed, request: { method: 'PUT', url: 'Task/' + task.id, ifMatch: 'W/"' + task.meta.versionId + '"' } }
      ] }) });
    }, 'Outcome recorded: the referral is complete.');
  }

  function actions(task, referral, patient) {
    const cell = el('td');
    if (task.status === 'requested') {
      const reason = el('input', { type: 'text', placeholder: 'Reason, if you decline', ariaLabel: 'Reason for declining' });
      reason.className = 'reason';
      cell.append(el('button', { type: 'button', className: 'accept', onclick: accept(task) }, 'Accept'), reason,
        el('button', { type: 'button', className: 'reject', onclick: reject(task, reason) }, 'Decline'));
      return cell;
    }
    if (task.status === 'accepted' || task.status === 'on-hold') {
      cell.append(el('button', { type: 'button', className: 'start', onclick: setStatus(task, 'in-progress', 'Work started.') },
        task.status === 'on-hold' ? 'Resume' : 'Start'));
    }
    const outcome = el('input', { type: 'text', placeholder: 'What was done', ariaLabel: 'What was done' });
    outcome.className = 'outcome';
    cell.append(outcome, el('button', { type: 'button', className: 'complete', onclick: complete(task, referral, patient, outcome) }, 'Record outcome and complete'));
    return cell;
  }

  async function load() {
    const include = '&_include=Task:focus&_include=Task:patient&_include=Task:requester&_count=100';
    const [owned, addressed] = await Promise.all([
      fhir('Task?owner=' + encodeURIComponent(organization) + '&status=requested,accepted,in-progress,on-hold' + include),
      fhir('Task?owner:missing=true&status=requested&focus:ServiceRequest.performer=' + encodeURIComponent(organization) + include)
    ]);
    const byRef = new Map();
    const tasks = [];
    [owned, addressed].forEach((bundle) => (bundle.entry || []).forEach((e) => {
      const r = e.resource;
      byRef.set(r.resourceType + '/' + r.id, r);
      if (e.search && e.search.mode === 'match' && !tasks.some((t) => t.id === r.id)) tasks.push(r);
    }));
    const body = $('referrals').querySelector('tbody');
    body.replaceChildren();
    tasks.forEach((task) => {
      const referral = byRef.get(task.focus && task.focus.reference) || {};
      const patient = byRef.get(task.for && task.for.reference) || {};
      const requester = byRef.get(task.requester && task.requester.reference);
      const row = el('tr');
      row.dataset.task = task.id;
      row.append(el('td', {}, patientName(patient)), el('td', {}, preferredLanguage(patient)),
        el('td', {}, text(referral.code) || 'Not stated'),
        el('td', {}, requester ? requester.name || '' : '', el('div', { className: 'contact' }, contact(requester))),
        el('td', { className: 'task-status' }, STATUS[task.status] || task.status), actions(task, referral, patient));
      body.append(row);
    });
    $('referrals').hidden = false;
    $('empty').hidden = tasks.length > 0;
  }

  async function chooseOrganization() {
    $('choose').hidden = false;
    const bundle = await fhir('Organization?type=cg&_count=100&_sort=name&_elements=name');
    (bundle.entry || []).forEach((e) => $('organization').append(el('option', { value: 'Organization/' + e.resource.id }, e.resource.name || e.resource.id)));
  }

  async function start() {
    try {
      if (!(await signIn())) {
        return;
      }
      organization = claims(token).organization || organization;
      if (!organization) {
        await chooseOrganization();
        return;
      }
      const org = await fhir(organization);
      $('heading').textContent = 'Referrals for ' + (org.name || organization);
      $('heading').hidden = false;
      await load();
    } catch (e) {
      showError(e.message);
    }
  }

  start();
})();
