// A clinician's own directory record: read through the FHIR API (their own Practitioner, unmasked, and
// the attestation Questionnaire's value sets), and saved with Practitioner/[id]/$attest, which checks the
// form and records a Provenance. The server decides who may attest what: this page only signs in.
(function () {
  'use strict';

  const FHIR = new URL('../fhir/', document.baseURI).href;
  const FORM = 'http://equityfhir.org/fhir/Questionnaire/clinician-diversity-attestation';
  const VS = 'http://equityfhir.org/fhir/ValueSet/';
  const EXT = {
    proficiency: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/communication-proficiency',
    competency: 'http://equityfhir.org/fhir/StructureDefinition/cultural-competency',
    display: 'http://equityfhir.org/fhir/StructureDefinition/directory-display-consent',
    race: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race',
    ethnicity: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity'
  };
  const $ = (id) => document.getElementById(id);
  let token = null;
  let practitioner = null;
  const codes = {};

  async function fhir(path, options = {}) {
    const response = await fetch(FHIR + path, { ...options, headers: { Accept: 'application/fhir+json',
      Authorization: 'Bearer ' + token, ...(options.body ? { 'Content-Type': 'application/fhir+json' } : {}) } });
    const body = await response.json().catch(() => null);
    if (response.status === 401) EquitySignIn.expired();
    if (!response.ok) {
      const issue = body && body.issue && body.issue[0];
      throw new Error((issue && (issue.diagnostics || (issue.details && issue.details.text))) || ('The server answered ' + response.status));
    }
    return body;
  }

  // The form's answer lists: our guide's value sets enumerate their codes, so the page reads them as stored.
  async function expand(name) {
    const found = await fhir('ValueSet?url=' + encodeURIComponent(VS + name));
    const vs = ((found.entry || [])[0] || {}).resource || {};
    codes[name] = ((vs.compose && vs.compose.include) || []).flatMap((include) => (include.concept || [])
      .map((c) => ({ system: include.system, code: c.code, display: c.display || c.code })));
  }

  function el(tag, props = {}, ...children) {
    const node = Object.assign(document.createElement(tag), props);
    children.forEach((c) => node.append(c));
    return node;
  }

  function select(name, chosen, label) {
    const s = el('select', { ariaLabel: label });
    s.dataset.valueSet = name;
    s.append(el('option', { value: '' }, '—'));
    codes[name].forEach((c) => s.append(el('option', { value: c.system + '|' + c.code, selected: chosen === c.code }, c.display)));
    return s;
  }

  function coding(value) {
    const [system, code] = value.split('|');
    return { system, code };
  }

  function addLanguage(language, proficiency) {
    $('languages').append(el('div', { className: 'row language' }, select('service-area-languages', language, 'Language'), ' ',
      select('language-proficiency', proficiency, 'Proficiency')));
  }

  function addCompetency(competency, evidence) {
    const evidenceList = select('competency-evidence', evidence, 'Evidence');
    $('competencies').append(el('div', { className: 'row competency' }, select('cultural-competency', competency, 'Competency'), ' ', evidenceList));
  }

  function checkboxes(target, name, chosen) {
    codes[name].forEach((c) => $(target).append(el('label', {}, el('input', { type: 'checkbox', value: c.system + '|' + c.code,
      checked: chosen.includes(c.code) }), ' ' + c.display)));
  }

  const ext = (resource, url) => (resource.extension || []).filter((e) => e.url === url);
  const sub = (e, url) => (e.extension || []).filter((x) => x.url === url);
  const code = (v) => v && ((v.valueCodeableConcept && v.valueCodeableConcept.coding[0].code) || (v.valueCoding && v.valueCoding.code));

  function fill() {
    $('who').textContent = ((practitioner.name || [])[0] || {}).text || [((practitioner.name || [])[0] || {}).given, ((practitioner.name || [])[0] || {}).family].flat().filter(Boolean).join(' ');
    (practitioner.communication || []).forEach((c) => addLanguage(((c.coding || [])[0] || {}).code, code(ext(c, EXT.proficiency)[0])));
    if (!(practitioner.communication || []).length) addLanguage(null, null);
    ext(practitioner, EXT.competency).forEach((e) => addCompetency(code(sub(e, 'code')[0]), code(sub(e, 'evidence')[0])));
    if (!ext(practitioner, EXT.competency).length) addCompetency(null, null);
    const race = ext(practitioner, EXT.race)[0];
    const ethnicity = ext(practitioner, EXT.ethnicity)[0];
    checkboxes('race', 'omb-race-category', race ? sub(race, 'ombCategory').map((x) => x.valueCoding.code) : []);
    checkboxes('ethnicity', 'omb-ethnicity-category', ethnicity ? sub(ethnicity, 'ombCategory').map((x) => x.valueCoding.code) : []);
    $('race-text').value = race ? (sub(race, 'text')[0] || {}).valueString || '' : '';
    $('ethnicity-text').value = ethnicity ? (sub(ethnicity, 'text')[0] || {}).valueString || '' : '';
    ['languages', 'cultural-competencies', 'race-ethnicity'].forEach((category) => {
      const choice = ext(practitioner, EXT.display).find((e) => (sub(e, 'category')[0] || {}).valueCode === category);
      $('display-' + category).checked = choice ? (sub(choice, 'display')[0] || {}).valueBoolean !== false : true;
    });
    $('attestation').hidden = false;
  }

  function response() {
    const item = [];
    document.querySelectorAll('.language').forEach((row) => {
      const [language, proficiency] = row.querySelectorAll('select');
      if (language.value) item.push({ linkId: 'languages', item: [
        { linkId: 'language', answer: [{ valueCoding: coding(language.value) }] },
        { linkId: 'proficiency', answer: proficiency.value ? [{ valueCoding: coding(proficiency.value) }] : [] }] });
    });
    document.querySelectorAll('.competency').forEach((row) => {
      const [competency, evidence] = row.querySelectorAll('select');
      if (competency.value) item.push({ linkId: 'cultural-competencies', item: [
        { linkId: 'competency', answer: [{ valueCoding: coding(competency.value) }] },
        { linkId: 'evidence', answer: evidence.value ? [{ valueCoding: coding(evidence.value) }] : [] }] });
    });
    for (const name of ['race', 'ethnicity']) {
      const chosen = [...$(name).querySelectorAll('input:checked')].map((i) => ({ valueCoding: coding(i.value) }));
      const group = { linkId: name, item: [{ linkId: name + '-category', answer: chosen }] };
      if ($(name + '-text').value.trim()) group.item.push({ linkId: name + '-text', answer: [{ valueString: $(name + '-text').value.trim() }] });
      item.push(group);
    }
    item.push({ linkId: 'display', item: ['languages', 'cultural-competencies', 'race-ethnicity'].map((category) => ({
      linkId: 'display-' + category, answer: [{ valueBoolean: $('display-' + category).checked }] })) });
    item.forEach((group) => { group.item = group.item.filter((i) => i.answer.length); });
    return { resourceType: 'QuestionnaireResponse', questionnaire: FORM, status: 'completed',
      subject: { reference: 'Practitioner/' + practitioner.id }, authored: new Date().toISOString(),
      author: { reference: 'Practitioner/' + practitioner.id }, item };
  }

  async function submit(event) {
    event.preventDefault();
    $('error').hidden = true;
    $('submit').disabled = true;
    try {
      practitioner = await fhir('Practitioner/' + practitioner.id + '/$attest', { method: 'POST', body: JSON.stringify(response()) });
      $('status').textContent = 'Saved. The directory shows what you chose.';
    } catch (e) {
      $('error').textContent = e.message;
      $('error').hidden = false;
    } finally {
      $('submit').disabled = false;
    }
  }

  async function start() {
    try {
      token = await EquitySignIn.signIn();
      if (!token) return;
      const who = EquitySignIn.claims(token).fhirUser || '';
      if (!who.startsWith('Practitioner/')) {
        throw new Error('This page is for clinicians: your sign-in is not linked to a Practitioner record.');
      }
      await Promise.all(['service-area-languages', 'language-proficiency', 'cultural-competency', 'competency-evidence',
        'omb-race-category', 'omb-ethnicity-category'].map(expand));
      practitioner = await fhir(who);
      fill();
      $('add-language').onclick = () => addLanguage(null, null);
      $('add-competency').onclick = () => addCompetency(null, null);
      $('attestation').onsubmit = submit;
    } catch (e) {
      $('error').textContent = e.message;
      $('error').hidden = false;
    }
  }

  start();
})();
