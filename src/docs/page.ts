/**
 * The API docs page: one self-contained HTML file, no external script, style or font, so it works
 * air-gapped. Its script reads /swagger/json (same origin) and lists every route with its
 * parameters, request body and responses, and the schemas they name.
 */

// Plain ES2017 in the browser; no template literals inside, so this stays one TS template string.
const SCRIPT = String.raw`
const $ = (tag, props, ...kids) => {
  const el = document.createElement(tag);
  Object.assign(el, props || {});
  for (const k of kids.flat(Infinity)) if (k != null && k !== '') el.append(k instanceof Node ? k : String(k));
  return el;
};
let doc = {};
const deref = (o) => {
  for (let i = 0; o && o.$ref && o.$ref.startsWith('#/') && i < 10; i++) {
    o = o.$ref.slice(2).split('/').reduce((a, k) => (a ? a[k] : undefined), doc);
  }
  return o || {};
};
const refName = (ref) => ref.split('/').pop();
const type = (s) => {
  s = s || {};
  if (s.$ref) return $('a', { href: '#schema-' + refName(s.$ref) }, refName(s.$ref));
  if (s.enum) return 'one of ' + s.enum.map((v) => JSON.stringify(v)).join(' | ');
  const alt = s.oneOf || s.anyOf || s.allOf;
  if (alt) return $('span', {}, alt.map((a, i) => [i ? (s.allOf ? ' & ' : ' | ') : '', type(a)]));
  if (s.type === 'array') return $('span', {}, 'array of ', type(s.items));
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') return $('span', {}, 'map of ', type(s.additionalProperties));
  const t = Array.isArray(s.type) ? s.type.join(' | ') : s.type || 'any';
  return t + (s.format ? ' (' + s.format + ')' : '') + (s.default !== undefined ? ', default ' + JSON.stringify(s.default) : '');
};
const table = (head, rows) =>
  rows.length ? $('table', {}, $('tr', {}, head.map((h) => $('th', {}, h))), rows.map((r) => $('tr', {}, r.map((c) => $('td', {}, c))))) : null;
const content = (c) => Object.entries(c || {}).map(([media, m]) => $('div', {}, $('code', {}, media), ': ', type(m.schema)));
const operation = (path, method, op) => {
  const params = [...(doc.paths[path].parameters || []), ...(op.parameters || [])].map(deref);
  const body = op.requestBody && deref(op.requestBody);
  const responses = Object.entries(op.responses || {}).map(([code, r]) => [code, deref(r).description || '', content(deref(r).content)]);
  return $('details', { className: 'op', id: (op.operationId || method + path) },
    $('summary', {}, $('span', { className: 'm ' + method }, method.toUpperCase()), ' ', $('code', {}, path), ' ', $('span', { className: 'd' }, op.summary || '')),
    op.description && op.description !== op.summary ? $('p', {}, op.description) : null,
    params.length ? [$('h4', {}, 'Parameters'), table(['name', 'in', 'required', 'type', 'description'], params.map((p) => [$('code', {}, p.name), p.in, p.required ? 'yes' : 'no', type(p.schema), p.description || '']))] : null,
    body ? [$('h4', {}, 'Request body' + (body.required ? ' (required)' : '')), body.description ? $('p', {}, body.description) : null, content(body.content)] : null,
    $('h4', {}, 'Responses'), table(['status', 'description', 'body'], responses));
};
const schema = (name, s) => {
  const props = Object.entries(s.properties || {}).map(([k, p]) => [$('code', {}, k), (s.required || []).includes(k) ? 'yes' : 'no', type(p), p.description || '']);
  return $('details', { className: 'schema', id: 'schema-' + name }, $('summary', {}, $('code', {}, name), ' ', $('span', { className: 'd' }, props.length ? '' : type(s))),
    s.description ? $('p', {}, s.description) : null, table(['field', 'required', 'type', 'description'], props));
};
const render = () => {
  const main = document.getElementById('main');
  main.replaceChildren($('div', {},
    $('h1', {}, (doc.info && doc.info.title) || 'API', ' ', $('small', {}, (doc.info && doc.info.version) || '')),
    doc.info && doc.info.description ? $('p', {}, doc.info.description) : null,
    $('p', {}, 'The document itself: ', $('a', { href: '/swagger/json' }, '/swagger/json')),
    $('h2', {}, 'Routes'),
    Object.entries(doc.paths || {}).map(([path, item]) =>
      Object.entries(item).filter(([m]) => ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'].includes(m)).map(([m, op]) => operation(path, m, op))),
    $('h2', {}, 'Schemas'),
    Object.entries((doc.components && doc.components.schemas) || {}).map(([n, s]) => schema(n, s))));
  const target = location.hash && document.getElementById(location.hash.slice(1));
  if (target) target.open = true, target.scrollIntoView();
};
document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a[href^="#"]');
  const el = a && document.getElementById(a.getAttribute('href').slice(1));
  if (el) el.open = true;
});
fetch('/swagger/json')
  .then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.status + ' ' + r.statusText + (r.status === 401 ? ': this gateway needs a bearer token' : '')))))
  .then((d) => { doc = d; render(); })
  .catch((e) => { document.getElementById('main').textContent = 'Could not load /swagger/json: ' + e.message; });
`;

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 960px; padding: 1rem; color: #222; }
h1 small { color: #777; font-size: 60%; } h4 { margin: .8rem 0 .3rem; }
details { border: 1px solid #ddd; border-radius: 4px; margin: .4rem 0; padding: .3rem .6rem; }
summary { cursor: pointer; } .d { color: #555; }
.m { display: inline-block; min-width: 4.2em; text-align: center; font: bold 12px monospace; color: #fff; border-radius: 3px; padding: 2px 0; background: #777; }
.get { background: #2b7bb9; } .post { background: #2f9e44; } .put, .patch { background: #d9822b; } .delete { background: #c92a2a; }
table { border-collapse: collapse; width: 100%; font-size: 14px; } th, td { text-align: left; border-bottom: 1px solid #eee; padding: 3px 6px; vertical-align: top; }
code { font-size: 13px; background: #f4f4f4; padding: 0 3px; border-radius: 3px; }
`;

/** The whole docs page, served at /swagger and /docs. */
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Inference Gateway API</title>
<style>${STYLE}</style>
</head>
<body>
<main id="main">Loading /swagger/json…</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
