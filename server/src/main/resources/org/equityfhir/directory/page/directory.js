// The directory page: reads only the FHIR API, so a clinician's display opt-out holds here as it does
// for every client (hidden attributes are neither returned nor searchable).
(function () {
  'use strict';

  const FHIR = new URL('../fhir/', document.baseURI).href;
  const BCP47 = 'urn:ietf:bcp:47';
  const NUCC = 'http://nucc.org/provider-taxonomy';
  const COMPETENCY_SYSTEM = 'http://equityfhir.org/fhir/CodeSystem/cultural-competency';
  const COMPETENCY_EXT = 'http://equityfhir.org/fhir/StructureDefinition/cultural-competency';
  const PROFICIENCY_EXT = 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/communication-proficiency';
  const RACE_EXT = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race';
  const ETHNICITY_EXT = 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity';

  // Languages member services are asked for most in Minnesota; any other BCP-47 tag can be typed.
  const LANGUAGES = ['es', 'so', 'hmn', 'kar', 'om', 'vi', 'ru', 'am', 'ase', 'ar', 'lo', 'km', 'my', 'ne', 'zh', 'ti', 'fr', 'en'];
  const SPECIALTIES = [
    ['207Q00000X', 'Family medicine'], ['207R00000X', 'Internal medicine'], ['208000000X', 'Pediatrics'],
    ['207V00000X', 'Obstetrics and gynecology'], ['2084P0800X', 'Psychiatry'], ['363L00000X', 'Nurse practitioner'],
    ['103T00000X', 'Psychologist'], ['1223G0001X', 'General dentistry'], ['172V00000X', 'Community health worker']];
  const ILR = { '00': 'No proficiency', '10': 'Elementary', '20': 'Limited working', '30': 'Professional working',
    '40': 'Full professional', '50': 'Native or bilingual' };

  const $ = (id) => document.getElementById(id);
  const names = new Intl.DisplayNames(['en'], { type: 'language' });
  const competencies = new Map();
  let places = [];

  // Browsers ship language names unevenly (headless Chromium has no English name for Tibetan), so the
  // languages of our communities are named here and the browser is asked only for the others.
  const NAMES = { es: 'Spanish', so: 'Somali', hmn: 'Hmong', kar: 'Karen', om: 'Oromo', vi: 'Vietnamese',
    ru: 'Russian', am: 'Amharic', ase: 'American Sign Language', ar: 'Arabic', lo: 'Lao', km: 'Khmer',
    my: 'Burmese', ne: 'Nepali', zh: 'Chinese', ti: 'Tigrinya', fr: 'French', en: 'English', bo: 'Tibetan' };

  function languageName(tag) {
    if (NAMES[tag]) return NAMES[tag];
    try {
      const name = names.of(tag);
      return name && name !== tag ? name : tag;
    } catch (e) {
      return tag;
    }
  }

  function option(select, value, label) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = label;
    select.appendChild(o);
  }

  async function fhir(path) {
    let response;
    try {
      response = await fetch(FHIR + path, { headers: { Accept: 'application/fhir+json' } });
    } catch (e) {
      throw new Error('The directory could not be reached. Check the connection and try again.');
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const issues = body && body.resourceType === 'OperationOutcome' ? body.issue || [] : [];
      const said = issues.map((i) => i.diagnostics).filter(Boolean).join(' ');
      throw new Error(said || ('The directory answered ' + response.status + '.'));
    }
    return body;
  }

  async function setUp() {
    LANGUAGES.map((tag) => [tag, languageName(tag)]).sort((a, b) => a[1].localeCompare(b[1]))
      .forEach(([tag, label]) => option($('language'), tag, label));
    SPECIALTIES.forEach(([code, label]) => option($('specialty'), code, label));
    try {
      places = await (await fetch('places.json')).json();
      places.forEach((p) => option($('places'), p.name + ' (' + p.zip + ')', ''));
    } catch (e) {
      places = [];
    }
    try {
      const found = await fhir('CodeSystem?url=' + encodeURIComponent(COMPETENCY_SYSTEM) + '&_count=1');
      const cs = found.entry && found.entry[0] && found.entry[0].resource;
      const walk = (concepts, depth) => (concepts || []).forEach((c) => {
        competencies.set(c.code, c.display || c.code);
        option($('competency'), c.code, '\u2003'.repeat(depth) + (c.display || c.code));
        walk(c.concept, depth + 1);
      });
      if (cs) walk(cs.concept, 0);
    } catch (e) {
      $('competency').disabled = true;
    }
  }

  function findPlace(text) {
    const t = text.trim().toLowerCase();
    if (!t) return null;
    return places.find((p) => p.zip === t || p.name.toLowerCase() === t
      || (p.name + ' (' + p.zip + ')').toLowerCase() === t) || null;
  }

  function km(a, b) {
    const rad = (d) => d * Math.PI / 180;
    const dLat = rad(b.lat - a.lat);
    const dLon = rad(b.lon - a.lon);
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
    return 12742 * Math.asin(Math.sqrt(h));
  }

  function personName(p) {
    const n = (p.name || [])[0];
    if (!n) return 'Name not listed';
    if (n.text) return n.text;
    return [].concat(n.prefix || [], n.given || [], n.family || [], n.suffix || []).join(' ');
  }

  function ext(resource, url) {
    return (resource.extension || []).filter((e) => e.url === url);
  }

  function sub(extension, url) {
    return (extension.extension || []).find((e) => e.url === url);
  }

  function languagesOf(p) {
    return (p.communication || []).map((c) => {
      const coding = (c.coding || []).find((x) => x.system === BCP47) || (c.coding || [])[0] || {};
      const prof = ext(c, PROFICIENCY_EXT)[0];
      const level = prof && prof.valueCodeableConcept && (prof.valueCodeableConcept.coding || [])[0];
      return { tag: coding.code, name: coding.code ? languageName(coding.code) : (c.text || '?'), level: level && level.code };
    }).filter((l) => l.tag || l.name);
  }

  function competenciesOf(p) {
    return ext(p, COMPETENCY_EXT).map((e) => {
      const code = sub(e, 'code');
      const coding = code && code.valueCodeableConcept && (code.valueCodeableConcept.coding || [])[0];
      return coding ? { code: coding.code, name: competencies.get(coding.code) || coding.display || coding.code } : null;
    }).filter(Boolean);
  }

  function identityOf(p) {
    return [RACE_EXT, ETHNICITY_EXT].map((url) => ext(p, url)[0]).filter(Boolean)
      .map((e) => sub(e, 'text')).filter((t) => t && t.valueString).map((t) => t.valueString);
  }

  function describe(resourceById, role, query) {
    const practitioner = role.practitioner && resourceById.get(role.practitioner.reference);
    if (!practitioner) return null;
    const locations = (role.location || []).map((r) => resourceById.get(r.reference)).filter(Boolean);
    const organization = role.organization && resourceById.get(role.organization.reference);
    const langs = languagesOf(practitioner);
    const reasons = [];
    if (query.language) {
      const spoken = langs.find((l) => l.tag && (l.tag === query.language || l.tag.startsWith(query.language + '-')));
      if (!spoken) return null;
      if (query.proficiency && !(spoken.level && spoken.level >= query.proficiency)) return null;
      reasons.push('Speaks ' + spoken.name + (spoken.level ? ' (' + ILR[spoken.level] + ' proficiency, ILR ' + spoken.level + ')' : ''));
    }
    const comps = competenciesOf(practitioner);
    if (query.competency) {
      reasons.push('Cultural competency: ' + (competencies.get(query.competency) || query.competency));
    }
    let distance = null;
    let where = locations[0];
    if (query.place) {
      locations.filter((l) => l.position).forEach((l) => {
        const d = km(query.place, { lat: l.position.latitude, lon: l.position.longitude });
        if (distance === null || d < distance) { distance = d; where = l; }
      });
      if (distance !== null) reasons.push(distance.toFixed(1) + ' km from ' + query.place.name);
    }
    return { role, practitioner, organization, where, distance, langs, comps, identity: identityOf(practitioner), reasons };
  }

  function render(card) {
    const li = document.createElement('li');
    const article = document.createElement('article');
    article.className = 'card';
    const h = document.createElement('h3');
    h.textContent = personName(card.practitioner);
    article.appendChild(h);
    const specialty = (card.role.specialty || []).map((s) => s.text || ((s.coding || [])[0] || {}).display).filter(Boolean);
    const where = document.createElement('p');
    where.className = 'where';
    const address = card.where && card.where.address;
    where.textContent = [specialty.join(', '), card.organization && card.organization.name, card.where && card.where.name,
      address && [].concat(address.line || [], address.city || []).join(', ')].filter(Boolean).join(' · ');
    article.appendChild(where);
    const dl = document.createElement('dl');
    const row = (term, text) => {
      if (!text) return;
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = text;
      dl.append(dt, dd);
    };
    row('Languages', card.langs.map((l) => l.name + (l.level ? ' (' + ILR[l.level] + ')' : '')).join(', '));
    row('Cultural competencies', card.comps.map((c) => c.name).join(', '));
    row('Identifies as', card.identity.join('; '));
    article.appendChild(dl);
    if (card.reasons.length) {
      const why = document.createElement('ul');
      why.className = 'reasons';
      why.setAttribute('aria-label', 'Why this clinician matched');
      card.reasons.forEach((r) => { const i = document.createElement('li'); i.textContent = r; why.appendChild(i); });
      article.appendChild(why);
    }
    li.appendChild(article);
    return li;
  }

  async function search(event) {
    event.preventDefault();
    const results = $('results');
    const error = $('error');
    results.replaceChildren();
    error.hidden = true;
    const query = {
      language: ($('other-language').value.trim() || $('language').value) || null,
      proficiency: $('proficiency').value || null,
      competency: $('competency').value || null,
      specialty: $('specialty').value || null,
      place: null,
      distance: $('distance').value,
    };
    if ($('place').value.trim()) {
      query.place = findPlace($('place').value);
      if (!query.place) {
        error.textContent = 'Unknown place "' + $('place').value.trim() + '": choose a Minnesota city or ZIP code from the list.';
        error.hidden = false;
        $('place').focus();
        return;
      }
    }
    const params = new URLSearchParams();
    if (query.language) params.append('practitioner.language', BCP47 + '|' + query.language);
    if (query.competency) params.append('practitioner.cultural-competency:below', COMPETENCY_SYSTEM + '|' + query.competency);
    if (query.specialty) params.append('specialty', NUCC + '|' + query.specialty);
    if (query.place) params.append('location.near', query.place.lat + '|' + query.place.lon + '|' + query.distance + '|km');
    ['PractitionerRole:practitioner', 'PractitionerRole:location', 'PractitionerRole:organization']
      .forEach((i) => params.append('_include', i));
    params.append('_count', '50');
    $('status').textContent = 'Searching…';
    $('go').disabled = true;
    try {
      const bundle = await fhir('PractitionerRole?' + params.toString());
      const byId = new Map();
      const roles = [];
      (bundle.entry || []).forEach((e) => {
        const r = e.resource;
        if (!r) return;
        byId.set(r.resourceType + '/' + r.id, r);
        if (r.resourceType === 'PractitionerRole' && (!e.search || e.search.mode !== 'include')) roles.push(r);
      });
      const cards = roles.map((r) => describe(byId, r, query)).filter(Boolean);
      cards.sort((a, b) => (a.distance ?? Infinity) - (b.distance ?? Infinity)
        || personName(a.practitioner).localeCompare(personName(b.practitioner)));
      cards.forEach((c) => results.appendChild(render(c)));
      if (cards.length === 0) {
        let text = 'No clinician matches this search. Try a larger distance or fewer criteria.';
        if (query.language) {
          text = 'No clinician speaking ' + languageName(query.language) + ' matches'
            + (query.place ? ' within ' + query.distance + ' km of ' + query.place.name : '')
            + '. Offer the member a professional medical interpreter (not a family member or friend).';
        }
        const li = document.createElement('li');
        li.className = 'advice';
        li.textContent = text;
        results.appendChild(li);
        $('status').textContent = 'No matches.';
      } else {
        $('status').textContent = cards.length + (cards.length === 1 ? ' clinician' : ' clinicians') + ' found.';
      }
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
      $('status').textContent = '';
    } finally {
      $('go').disabled = false;
      $('results-heading').focus();
    }
  }

  $('search').addEventListener('submit', search);
  setUp();
})();
