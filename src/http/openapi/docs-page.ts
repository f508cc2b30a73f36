/**
 * The browsable API reference at `/docs`: one static HTML page rendered from the OpenAPI document on the server
 * (no script, no CDN, so the strict Content-Security-Policy holds). Operations are grouped by tag; each shows its
 * parameters and, folded, its request and response schemas.
 */
import type { OpenApiDocument } from './openapi-document.js';

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface Op {
  method: string;
  path: string;
  summary: string;
  tags: string[];
  parameters: Array<{ name: string; in: string; required: boolean; schema: unknown }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}

function operations(doc: OpenApiDocument): Op[] {
  const ops: Op[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item))
      ops.push({ ...(op as Omit<Op, 'method' | 'path'>), method, path });
  }
  return ops;
}

const schemaBlock = (label: string, schema: unknown) =>
  `<details><summary>${esc(label)}</summary><pre>${esc(JSON.stringify(schema, null, 2))}</pre></details>`;

function renderOp(op: Op): string {
  const params = op.parameters.length
    ? `<table><thead><tr><th>name</th><th>in</th><th>required</th><th>schema</th></tr></thead><tbody>${op.parameters
        .map(
          (p) =>
            `<tr><td><code>${esc(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : ''}</td><td><code>${esc(
              JSON.stringify(p.schema),
            )}</code></td></tr>`,
        )
        .join('')}</tbody></table>`
    : '';
  const body = op.requestBody
    ? schemaBlock('Request body', op.requestBody.content['application/json']?.schema)
    : '';
  const responses = Object.entries(op.responses)
    .map(([status, r]) => {
      const schema = r.content && Object.values(r.content)[0]?.schema;
      return schema
        ? schemaBlock(`${status}: ${r.description}`, schema)
        : `<p>${esc(status)}: ${esc(r.description)}</p>`;
    })
    .join('');
  return `<section class="op" id="${esc(op.method + op.path)}"><h3><span class="m m-${op.method}">${op.method.toUpperCase()}</span> <code>${esc(
    op.path,
  )}</code></h3><p>${esc(op.summary)}</p>${params}${body}${responses}</section>`;
}

export function docsPage(doc: OpenApiDocument): string {
  const byTag = new Map<string, Op[]>();
  for (const op of operations(doc)) {
    const tag = op.tags[0] ?? 'other';
    byTag.set(tag, [...(byTag.get(tag) ?? []), op]);
  }
  const tags = [...byTag.keys()].sort();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:1000px;margin:0 auto;padding:24px}
nav a{margin-right:12px}
.op{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:8px 16px;margin:10px 0}
.op h3{margin:6px 0;font-size:15px}
.m{display:inline-block;min-width:56px;font-weight:600}
.m-get{color:#1a7f37}.m-post{color:#0969da}.m-patch,.m-put{color:#9a6700}.m-delete{color:#cf222e}
table{border-collapse:collapse;font-size:13px;width:100%}td,th{border-bottom:1px solid #eee;text-align:left;padding:2px 6px;vertical-align:top}
pre{background:#f3f4f6;padding:8px;overflow:auto;font-size:12px}
code{word-break:break-all}
</style></head><body><main>
<h1>${esc(doc.info.title)} API <small>${esc(doc.info.version)}</small></h1>
<p>${esc(doc.info.description)} Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${doc.openapi}).</p>
<nav>${tags.map((t) => `<a href="#tag-${esc(t)}">${esc(t)}</a>`).join(' ')}</nav>
${tags.map((t) => `<h2 id="tag-${esc(t)}">${esc(t)}</h2>${(byTag.get(t) ?? []).map(renderOp).join('\n')}`).join('\n')}
</main></body></html>`;
}
