/**
 * A readable API page rendered on the server from the OpenAPI document:
 * plain HTML and CSS, no scripts, nothing fetched from elsewhere (Hookyard
 * may run on a machine with no internet access).
 */
type Json = Record<string, unknown>;

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function docsPage(doc: Json): string {
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const schemas = (doc.components as { schemas: Json }).schemas;
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = (op.tags as string[])[0] ?? 'Other';
      const params = ((op.parameters as Json[] | undefined) ?? []).map((p) => `<code>${escape(String(p.name))}</code> (${p.in}${p.required ? ', required' : ''})`).join(', ');
      const body = (op.requestBody as { content: { 'application/json': { schema: { $ref: string } } } } | undefined)?.content['application/json'].schema.$ref.split('/').pop();
      const responses = Object.entries(op.responses as Record<string, Json>).map(([s, r]) => {
        const ref = (r.content as { 'application/json'?: { schema: { $ref: string } } } | undefined)?.['application/json']?.schema.$ref.split('/').pop();
        return `<li><b>${s}</b> ${escape(String(r.description))}${ref ? ` — <a href="#${ref}">${ref}</a>` : ''}</li>`;
      }).join('');
      const html = `<section class="op"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code></h3>
<p>${escape(String(op.summary))}</p>${params ? `<p>Parameters: ${params}</p>` : ''}${body ? `<p>Body: <a href="#${body}">${body}</a></p>` : ''}<ul>${responses}</ul></section>`;
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  const info = doc.info as { title: string; version: string; description: string };
  const sections = [...byTag].map(([tag, ops]) => `<h2 id="${escape(tag)}">${escape(tag)}</h2>${ops.join('\n')}`).join('\n');
  const models = Object.entries(schemas).map(([name, s]) => `<h3 id="${name}">${name}</h3><pre>${escape(JSON.stringify(s, null, 2))}</pre>`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font-family:ui-monospace,monospace}pre{background:#f5f5f5;padding:.75rem;overflow:auto;font-size:13px}
.op{border-top:1px solid #ddd;padding:.25rem 0}.m{display:inline-block;min-width:4.5rem;font-size:13px;padding:2px 6px;border-radius:4px;color:#fff;background:#555}
.get{background:#2b6cb0}.post{background:#2f855a}.put{background:#b7791f}.patch{background:#6b46c1}.delete{background:#c53030}</style></head>
<body><h1>${escape(info.title)} <small>${escape(info.version)}</small></h1><p>${escape(info.description)}</p>
<p>The machine-readable document: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
<nav>${[...byTag.keys()].map((t) => `<a href="#${escape(t)}">${escape(t)}</a>`).join(' · ')} · <a href="#models">Models</a></nav>
${sections}<h2 id="models">Models</h2>${models}</body></html>`;
}
